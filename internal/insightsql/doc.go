// Package insightsql parses and runs, locally, the subset of the CloudWatch
// Logs Insights query language (Logs Insights QL) that cognitomon's canned
// queries use. The fakes answer StartQuery/GetQueryResults with it, so tests
// can check that a query computes what it claims without AWS.
//
// Parse a query once with [Parse]; run it any number of times, from any
// number of goroutines, with [Query.Run] over an iterator of [Event] values.
// Anything outside the subset is a *[ParseError] with the byte offset of the
// problem, never a silently different answer.
//
// References below to "FACTS" are to the project's AWS fact sheet
// (docs/FACTS.md, section 5).
//
// # Syntax
//
// Commands are separated by |. A # starts a comment that runs to the end of
// the line. Keywords (command names, by, as, and, or, not, in, like, asc,
// desc) and function names are case-insensitive; field names are
// case-sensitive. The commands are:
//
//	fields f1, f2 as alias, ...        choose columns; aliases are usable later
//	display f1, f2, ...                choose columns (the last display wins)
//	filter <condition>                 keep events (or stats rows) that match
//	stats agg [as a], ... [by key [as a], ...]
//	sort f [asc|desc], ...             default asc
//	limit n                            1 <= n <= 100000
//
// A condition combines, with and, or, not and parentheses:
//
//	a = b   a != b   a < b   a <= b   a > b   a >= b
//	a in [lit, ...]        a not in [lit, ...]
//	a like "substring"     a like /regex/       a not like ...     a =~ /regex/
//	ispresent(f)   isempty(f)   isblank(f)
//
// where a and b are field names, "string" or 'string' literals, numbers, or
// arithmetic (+ - * / and unary minus) on them. Precedence, loosest first:
// or, and, not, comparison, + -, * /, unary minus.
//
// String literals accept \\ and an escaped quote; Logs Insights documents no
// escape syntax (FACTS 5.2), so other backslash sequences are rejected. A
// /regex/ ends at the first slash not preceded by a backslash and is compiled
// by Go's regexp package (RE2). Logs Insights uses Hyperscan; differences
// between the two engines are out of scope, and a pattern RE2 cannot compile
// (backreferences, lookaround, possessive quantifiers, ...) is a parse
// error. The (?i) prefix gives case-insensitive matching; trailing flags
// (/x/i) are rejected.
//
// A bare field name consists of letters, digits, @ and dots; a name with
// any other character, _ and - included, is written in backticks
// (`additionalEventData.requestParameters.client_id.0`,
// `requestParameters.requiredAttributes[email]`), as FACTS 5.2 reads, and a
// bare name with one is a parse error that shows the quoted form. Quoted
// names hold no backtick. [FieldRef] writes a name in the form needed.
// true, false and null are not literals: write "true" to compare with the
// text of a JSON boolean, or backticks for a field of that name.
//
// The aggregates are count(*), count(f), count_distinct(f), sum(f), avg(f),
// min(f) and max(f). A by key is a field or bin(N unit), where the unit is s,
// m, min, h, hr or d; bin floors @timestamp to a multiple of the size counted
// from the Unix epoch, in UTC (so bin(1d) is UTC midnight).
//
// # Flattening JSON events
//
// An event whose message is a JSON object is seen as its flattened fields, as
// Logs Insights discovers CloudTrail records (FACTS 5.2): keys of nested
// objects are joined with dots (userIdentity.type) and array elements are
// addressed by their index (additionalEventData.requestParameters.client_id.0).
// A key that itself contains dots is the same field as the nested form. Only
// scalar leaves are fields: a name that reaches an object or an array is
// missing, and so is a JSON null. When a key repeats, the last value wins.
//
// Values keep their JSON text, except that numbers are rendered as results
// show them: integers exactly as written, other numbers in the shortest
// decimal form without a trailing .0 (200.0 is "200", 1e3 is "1000").
// Booleans are the strings "true" and "false".
//
// An event whose message is not a JSON object (plain text, an array, invalid
// or truncated JSON) has only the system fields. The evaluator extracts only
// the fields the query names, in one validating pass over the message, and
// builds no map of the event; it applies no limit on the number of fields per
// event (AWS extracts at most 100 or 1000, FACTS 5.2).
//
// System fields: @timestamp (Event.Timestamp, millisecond precision),
// @message (Event.Message as text), @logStream, @log (Event.LogGroup) and
// @ptr (an opaque, deterministic token per event; results never add it
// implicitly). @ingestionTime is rejected. Other names starting with @ are
// looked up in the JSON like any field.
//
// # Comparison semantics
//
// A missing field makes every comparison false, including != and not in,
// and fails like and not like too; so errorCode != "" selects exactly the
// events with a non-empty errorCode, like not isempty(errorCode) (FACTS
// 5.2). Use not (f = v) to include events where f is missing.
//
// When either operand is a number (a JSON number, a numeric literal, an
// arithmetic result) and the other is numeric as well, including a string
// whose whole text is a decimal number such as "400", the comparison is
// numeric. A number against a non-numeric string is never <, <=, > or >=;
// = and != then compare the rendered texts. Two strings compare byte-wise.
// in uses the = rule for each element. like and =~ match the rendered text.
//
// Arithmetic needs numeric operands; otherwise, or on division by zero, the
// result is missing. Comparisons and arithmetic on timestamps (@timestamp, a
// bin() column, min/max of @timestamp) are rejected: Logs Insights does not
// filter on human-readable timestamps (FACTS 5.2).
//
// ispresent(f) is true when f exists, even as ""; isempty(f) is true when f is
// missing or ""; isblank(f) also when f holds only white space.
//
// # Stats
//
// stats groups the matching events by the text of its by keys (a missing key
// is its own group, distinct from ""). The output columns are the by keys in
// order, then the aggregates in order. An unaliased aggregate is named by its
// lowercased function name and its argument as written (count(*),
// avg(duration)); an unaliased bin key is named like bin(5m); an unaliased
// field key by its name; an alias replaces the name.
//
// count(*) counts events; count(f) counts events where f is present and not
// empty (the AWS function table says only "records that include the
// specified field", which leaves "" undecided); count_distinct(f) counts distinct non-empty values exactly (AWS
// approximates for high cardinality); sum, avg, min and max use the values
// that are numbers, ignoring the rest, and are missing when there are none.
// min and max of @timestamp are timestamps. stats without by always yields
// one row, with count(*) 0 when nothing matched.
//
// A second stats command aggregates the rows of the first and may name only
// their columns (bin is not available there); at most two are allowed. A
// filter after a stats command filters its rows. sort, limit and display
// must come after the last stats command (FACTS 5.2); fields after stats and
// filter after limit are rejected. sort after stats may name only stats
// columns: use an alias (by bin(5m) as t | sort t desc) rather than
// @timestamp, whose behaviour there is undocumented.
//
// Without sort, stats rows come in ascending order of their by keys, the
// first key first, missing keys last (Logs Insights documents no order).
//
// # Results
//
// Without stats, each matching event is one row holding the display fields,
// or else the fields fields, or else @timestamp and @message. Without sort,
// rows are newest @timestamp first, then in input order, as Logs Insights
// shows non-stats queries. sort is stable, so ties keep that order.
//
// sort follows the order Logs Insights documents for its sort command: all
// non-number values before all numbers; numbers by value; other text
// compared in chunks of digits and of non-digits, digit chunks by length and
// then by value, other chunks by Unicode code point (so "a2" < "a10"). The
// default direction is asc: the AWS sort page documents none. desc reverses the
// order, except that rows missing the field come last in both directions.
//
// Without a limit command at most [DefaultLimit] rows (10,000) are returned,
// as StartQuery does when it is given no limit (FACTS 5.1).
//
// Each row lists its columns in the order of [Query.Fields], leaving out a
// column whose value is missing in that row, as GetQueryResults returns only
// the fields an event has. Numbers are rendered without a trailing .0 and
// timestamps as "2006-01-02 15:04:05.000" in UTC.
//
// RecordsScanned counts all events, BytesScanned sums their message
// lengths, and RecordsMatched counts the events that pass the filters placed
// before the first stats command (all filters for a query without stats).
//
// # Not supported
//
// Other commands (parse, dedup, unmask, pattern, diff, SOURCE, ...), other
// functions and aggregates (coalesce, strlen, pct, stddev, earliest, ...),
// expressions in fields, display aliases, % and ^, ==, trailing regex flags,
// more than one fields, sort or limit command, and bin units other than those
// above are parse errors.
package insightsql
