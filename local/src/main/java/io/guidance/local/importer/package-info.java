/**
 * The dataset importers behind {@code guidance import}: they turn the public clickstream datasets
 * into SPEC section 1 events (JSON Lines, sorted by {@code ts}), so that replays, tests and the
 * demo run on real behaviour rather than invented traffic.
 *
 * <p>Choices the datasets force, and why:
 *
 * <ul>
 *   <li>Ids are derived from the source, never generated: {@code eventId} is the dataset prefix
 *       plus the 1-based line number of the row in its file (the header is line 1), so importing
 *       the same file twice gives identical output and a trigger can be traced back to the row that
 *       caused it.
 *   <li>Taobao has users but no sessions. A session is a run of one user's events, in time order,
 *       with no gap of 30 minutes or more (the usual web-analytics inactivity timeout); a gap of
 *       exactly 30 minutes starts a new session.
 *   <li>YOOCHOOSE has sessions but no users, so each session is its own user ({@code userId} =
 *       {@code sessionId}). Per-user rules (threshold, comeback) therefore see one session per user
 *       on this dataset.
 *   <li>Output is sorted by {@code ts} with a stable sort: SPEC section 2 evaluates events with
 *       equal {@code ts} in input order, and file order is the only order the datasets give such
 *       events.
 *   <li>A malformed row stops the import with its file and line number. Unlike the live job, an
 *       import has a person watching, and silently skipping rows would make the output a different
 *       dataset than the one cited.
 * </ul>
 */
package io.guidance.local.importer;
