package io.guidance.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SPEC section 3: a pattern is compared with the field's text; {@code *} matches any run of
 * characters.
 */
class GlobTest {

    @ParameterizedTest(name = "''{0}'' matches ''{1}''")
    @CsvSource({
        // no star: the whole text must be equal
        "/checkout,      /checkout",
        // star as suffix
        "/plans*,        /plans",
        "/plans*,        /plans/pro",
        // star as prefix
        "*.pdf,          /docs/terms.pdf",
        "*.pdf,          .pdf",
        // star in the middle
        "/shop/*/cart,   /shop/de/cart",
        "/shop/*/cart,   /shop//cart",
        // several stars
        "*pay*,          #pay",
        "*pay*,          button#pay-now",
        "/a*b*c,         /abc",
        "/a*b*c,         /axxbyyc",
        "*ab*b,          abb",
        // a lone star matches anything, even the empty text
        "*,              anything",
        "*,              ''",
    })
    void matches(String pattern, String text) {
        assertThat(new Glob(pattern).matches(text)).isTrue();
    }

    @ParameterizedTest(name = "''{0}'' does not match ''{1}''")
    @CsvSource({
        "/checkout,      /checkout/",
        "/checkout,      /Checkout",
        "/plans*,        /plan",
        "/plans*,        x/plans",
        "*.pdf,          /docs/terms.pdf.html",
        "/shop/*/cart,   /shop/de/carts",
        "/shop/*/cart,   /shop/cart",
        // prefix and suffix may not share characters: 'a*a' needs at least two a's
        "a*a,            a",
        "ab*ba,          aba",
        // a middle piece must fit between prefix and suffix: needs 'ab' then a further 'b'
        "*ab*b,          ab",
        // pieces in order
        "/a*b*c,         /acb",
        // a star is not a regex: no special meaning for dots
        "a.c,            abc",
    })
    void doesNotMatch(String pattern, String text) {
        assertThat(new Glob(pattern).matches(text)).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"/checkout", "*", "/plans*"})
    void nothingMatchesAMissingField(String pattern) {
        assertThat(new Glob(pattern).matches(null)).isFalse();
    }
}
