//! Cohort filters: a small expression language over the columns of the
//! cohort, such as `cohort = validation and ca19_9 > 37 and risk = high`.
//!
//! The TUI's cohort table re-filters some 10,000 rows on every key press,
//! so a [`Query`] is compiled once against the caller's schema (a slice of
//! [`Field`]s): column names become indexes, literals become typed values
//! and levels are checked, and every mistake is reported with its position
//! ([`QueryError`]) before any row is seen. Evaluation ([`Query::matches`])
//! then only compares values that the row lends out ([`Row`], [`ValueRef`])
//! and allocates nothing. Nothing here knows about the UI, so the CLI can
//! use the same filters.
//!
//! # Grammar
//!
//! ```text
//! query     = or END
//! or        = and { ("or" | "||") and }
//! and       = not { ("and" | "&&") not }
//! not       = ("not" | "!") not | "(" or ")" | predicate
//! predicate = column compare value
//!           | column "~" value
//!           | column ["not"] "in" "(" value { "," value } ")"
//!           | column "is" ["not"] "missing"
//! compare   = "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">="
//! value     = word | '"' any text but '"' '"' | "'" any text but "'" "'"
//! ```
//!
//! `not` binds tighter than `and`, which binds tighter than `or`: `a or b and
//! not c` is `a or (b and (not c))`. Keywords, column names, categorical
//! levels and boolean words are case-insensitive. A word runs up to
//! whitespace, a quote, a parenthesis, a comma or one of `=!<>~&|`, so
//! `2019-06-01`, `-1.5` and `ca19_9` are single words; a value with spaces
//! or those characters is quoted. Quotes have no escapes: a double-quoted
//! value may hold `'` and a single-quoted one `"`. Parentheses and `not`
//! nest at most 64 deep, which keeps parsing and evaluation off the end of
//! the stack whatever is pasted in.
//!
//! # Values and operators
//!
//! | column kind | literals | operators |
//! |---|---|---|
//! | number | finite numbers: `37`, `-1.5`, `1e3` | all comparisons, `in` |
//! | date | ISO 8601 `YYYY-MM-DD` | all comparisons, `in` |
//! | boolean | the words of [`parse_bool`]: `yes`/`no`, `true`/`false`, `1`/`0`, `y`/`n` | `=`, `!=`, `in` |
//! | categorical | one of its levels | all comparisons, `in`, `~` |
//! | text | anything | `=`, `!=`, `in`, `~` |
//!
//! - Numbers compare numerically whether a row holds them as
//!   [`Value::Number`] or [`Value::Integer`]; an integer is compared exactly,
//!   not through a lossy conversion.
//! - Categorical levels are ordered as the schema lists them (the dictionary's
//!   display order), so `differentiation >= moderate` reads as "moderate or
//!   worse" when the levels are `well, moderate, poor`. Booleans and free
//!   text have no order a reader could rely on (is `no < yes`? is `Z < a`?),
//!   so ordering them is refused at parse time.
//! - Levels and booleans are labels, compared case-insensitively. Free text
//!   is data: `=`, `!=` and `in` compare it exactly, case included, while
//!   `~` finds the value anywhere in it, ignoring case (`regimen ~ gem`
//!   matches `GEMOX`). `~` also applies to levels, and its value need not be
//!   a level.
//!
//! # Missing values
//!
//! A comparison with a missing value is false, whatever the operator —
//! `!=` and `not in` included — as in SQL's `WHERE` and as pandas compares
//! with NaN. `is missing` tests for it, and `not` negates the boolean
//! result of what follows it, so `not (ca19_9 > 37)` keeps the patients
//! without a CA 19-9 while `ca19_9 <= 37` drops them; likewise
//! `not (risk = high)` and `risk != high` differ exactly on missing values.
//! A NaN number counts as missing. A level the column does not list is
//! present, unequal to every level and neither less nor greater than any.
//! A row value of the wrong kind for its column (text in a number column)
//! is a caller bug; it is treated as present but making every comparison
//! false, `!=` included.
//!
//! # Example
//!
//! ```
//! use radcohort::study::model::Value;
//! use radcohort::study::query::{Field, FieldKind, Query};
//!
//! let fields = [
//!     Field::new("age", FieldKind::Number),
//!     Field::new("risk", FieldKind::Categorical(vec!["high".into(), "low".into()])),
//! ];
//! let query = Query::parse("age >= 60 and risk = HIGH", &fields)?;
//! let row = [Some(Value::Integer(64)), Some(Value::Level("high".into()))];
//! assert!(query.matches(&row[..]));
//! assert!(!query.matches(&[Some(Value::Number(59.5)), None][..]));
//!
//! let error = Query::parse("age > abc", &fields).unwrap_err();
//! assert_eq!(error.to_string(), "age is a number; `abc` is not");
//! assert_eq!(error.char_offset(), 6);
//! # Ok::<(), radcohort::study::query::QueryError>(())
//! ```

use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use chrono::NaiveDate;

use super::dates::ISO_DATE;
use super::model::{Value, Variable, VariableType, parse_bool, parse_finite};

/// How deeply parentheses and `not`s may nest. Parsing and evaluation
/// recurse once per level; no typed filter comes near this, but unbounded
/// depth would let pasted input overflow the stack.
const MAX_DEPTH: usize = 64;

/// Unknown names longer than this get no "did you mean": the edit distance
/// is quadratic, and nothing that long is a typo of a column name.
const MAX_SUGGESTION_LEN: usize = 64;

/// A column a filter can name.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The name filters use, matched case-insensitively.
    pub name: String,
    /// What its values are, which decides the literals and operators a
    /// filter may use on it.
    pub kind: FieldKind,
}

impl Field {
    /// A column named `name` holding values of `kind`.
    pub fn new(name: impl Into<String>, kind: FieldKind) -> Self {
        Field {
            name: name.into(),
            kind,
        }
    }

    /// The column of a dictionary variable, under the variable's name.
    pub fn from_variable(variable: &Variable) -> Self {
        Field::new(
            variable.name.clone(),
            FieldKind::new(variable.kind, &variable.levels),
        )
    }
}

/// The kind of a column's values. It is [`VariableType`] with numeric and
/// integer merged — filters compare them alike — and with a categorical
/// column's levels, which literals are checked against and which order
/// `<` and `>`.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// Real or whole numbers ([`Value::Number`], [`Value::Integer`]).
    Number,
    /// Free text ([`Value::Text`]).
    Text,
    /// Calendar dates ([`Value::Date`]).
    Date,
    /// Yes or no ([`Value::Bool`]).
    Boolean,
    /// One of a fixed list of levels ([`Value::Level`]), lowest first.
    Categorical(Vec<String>),
}

impl FieldKind {
    /// The kind of a dictionary variable's values; `levels` matter only to
    /// a categorical variable.
    pub fn new(kind: VariableType, levels: &[String]) -> Self {
        match kind {
            VariableType::Numeric | VariableType::Integer => FieldKind::Number,
            VariableType::Categorical => FieldKind::Categorical(levels.to_vec()),
            VariableType::Boolean => FieldKind::Boolean,
            VariableType::Date => FieldKind::Date,
            VariableType::Text => FieldKind::Text,
        }
    }

    /// What a column of this kind is, as the complement of "age is …".
    fn noun(&self) -> &'static str {
        match self {
            FieldKind::Number => "a number",
            FieldKind::Text => "text",
            FieldKind::Date => "a date",
            FieldKind::Boolean => "yes or no",
            FieldKind::Categorical(_) => "categorical",
        }
    }
}

/// A value lent out by a [`Row`]: a [`Value`] whose text is borrowed, so a
/// row can offer values it stores in other forms — a patient's sex as
/// `Sex::Female.as_str()` — without allocating for every comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    /// A real number.
    Number(f64),
    /// A whole number.
    Integer(i64),
    /// A categorical level.
    Level(&'a str),
    /// Yes or no.
    Bool(bool),
    /// A calendar date.
    Date(NaiveDate),
    /// Free text.
    Text(&'a str),
}

impl<'a> From<&'a Value> for ValueRef<'a> {
    fn from(value: &'a Value) -> Self {
        match value {
            Value::Number(x) => ValueRef::Number(*x),
            Value::Integer(n) => ValueRef::Integer(*n),
            Value::Level(text) => ValueRef::Level(text),
            Value::Bool(b) => ValueRef::Bool(*b),
            Value::Date(date) => ValueRef::Date(*date),
            Value::Text(text) => ValueRef::Text(text),
        }
    }
}

impl ValueRef<'_> {
    /// The owned value.
    pub fn to_value(self) -> Value {
        match self {
            ValueRef::Number(x) => Value::Number(x),
            ValueRef::Integer(n) => Value::Integer(n),
            ValueRef::Level(text) => Value::Level(text.to_owned()),
            ValueRef::Bool(b) => Value::Bool(b),
            ValueRef::Date(date) => Value::Date(date),
            ValueRef::Text(text) => Value::Text(text.to_owned()),
        }
    }
}

/// A row a [`Query`] is evaluated on, implemented by the caller over
/// whatever it displays. It is asked once per column test, so a lookup by
/// index into precomputed values is the cheap way to implement it.
pub trait Row {
    /// The value of column `field` — its index in the schema the query was
    /// parsed against — or `None` when it is missing.
    fn value(&self, field: usize) -> Option<ValueRef<'_>>;
}

/// A row of values in schema order, `None` for missing ones; a column past
/// the end is missing.
impl Row for [Option<Value>] {
    fn value(&self, field: usize) -> Option<ValueRef<'_>> {
        self.get(field)?.as_ref().map(ValueRef::from)
    }
}

/// What kind of mistake a [`QueryError`] reports, for callers that react
/// to some differently (a UI may stay quiet about an empty filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryErrorKind {
    /// Nothing but whitespace.
    Empty,
    /// Not a sentence of the grammar: a missing column, operator or value,
    /// an unexpected or trailing word, an unterminated quote, nesting too
    /// deep.
    Syntax,
    /// A `(` never closed or a `)` never opened.
    UnbalancedParenthesis,
    /// A name that is no column of the schema.
    UnknownField,
    /// A literal that is not of its column's kind, e.g. a word for a number.
    WrongType,
    /// A categorical value that is not one of the column's levels.
    UnknownLevel,
    /// An operator that does not apply to the column's kind, e.g. `~` on a
    /// number or `<` on a boolean.
    Operator,
}

/// Why a filter could not be compiled, and where: the span of the
/// offending token (empty at the end of the input when something is
/// missing there), in bytes and in characters, so a UI can put a caret
/// under it. Displays as its message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    kind: QueryErrorKind,
    message: String,
    span: Range<usize>,
    char_span: Range<usize>,
}

impl QueryError {
    fn new(source: &str, kind: QueryErrorKind, span: Range<usize>, message: String) -> Self {
        let chars = |text: Option<&str>| text.map_or(0, |text| text.chars().count());
        let start = chars(source.get(..span.start));
        let len = chars(source.get(span.clone()));
        QueryError {
            kind,
            message,
            span,
            char_span: start..start + len,
        }
    }

    /// What kind of mistake this is.
    pub fn kind(&self) -> QueryErrorKind {
        self.kind
    }

    /// The message, e.g. ``no column `ca199`; did you mean `ca19_9`?``.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Byte offset of the offending token in the filter text.
    pub fn offset(&self) -> usize {
        self.span.start
    }

    /// Byte range of the offending token in the filter text.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// Character offset of the offending token: the caret's column when
    /// every character takes one cell.
    pub fn char_offset(&self) -> usize {
        self.char_span.start
    }

    /// Character range of the offending token.
    pub fn char_span(&self) -> Range<usize> {
        self.char_span.clone()
    }
}

/// A compiled filter. It keeps the text it was parsed from, which it
/// displays as.
#[derive(Debug, Clone)]
pub struct Query {
    source: String,
    root: Node,
    fields_used: Vec<usize>,
}

impl Query {
    /// Compiles `text` against the columns `fields`, whose indexes the
    /// compiled query and [`Row::value`] share. See the [module
    /// documentation](self) for the language.
    pub fn parse(text: &str, fields: &[Field]) -> Result<Query, QueryError> {
        let tokens = lex(text)?;
        if tokens.is_empty() {
            return Err(QueryError::new(
                text,
                QueryErrorKind::Empty,
                0..0,
                "the filter is empty".to_owned(),
            ));
        }
        let mut parser = Parser {
            source: text,
            tokens,
            pos: 0,
            fields,
            levels: vec![None; fields.len()],
            used: Vec::new(),
            depth: 0,
        };
        let root = parser.or()?;
        if let Some(token) = parser.peek() {
            let (kind, message) = if token.tok == Tok::Close {
                (
                    QueryErrorKind::UnbalancedParenthesis,
                    "unmatched `)`".to_owned(),
                )
            } else {
                (
                    QueryErrorKind::Syntax,
                    format!(
                        "expected `and`, `or` or the end of the filter, found {}",
                        parser.describe(Some(token))
                    ),
                )
            };
            return Err(parser.error(kind, token.span.clone(), message));
        }
        let mut fields_used = parser.used;
        fields_used.sort_unstable();
        Ok(Query {
            source: text.to_owned(),
            root,
            fields_used,
        })
    }

    /// Whether `row` passes the filter.
    pub fn matches<R: Row + ?Sized>(&self, row: &R) -> bool {
        self.root.eval(row)
    }

    /// Indexes of the columns the filter reads, ascending, each once.
    pub fn fields_used(&self) -> &[usize] {
        &self.fields_used
    }

    /// The text the query was parsed from.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    fn is_ordering(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }

    fn holds(self, comparison: Comparison) -> bool {
        let ordering = match comparison {
            Comparison::Ordered(ordering) => ordering,
            Comparison::Unordered => return self == CmpOp::Ne,
            Comparison::Incomparable => return false,
        };
        match self {
            CmpOp::Eq => ordering.is_eq(),
            CmpOp::Ne => ordering.is_ne(),
            CmpOp::Lt => ordering.is_lt(),
            CmpOp::Le => ordering.is_le(),
            CmpOp::Gt => ordering.is_gt(),
            CmpOp::Ge => ordering.is_ge(),
        }
    }
}

/// How a row's value stands to a literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Ordered(Ordering),
    /// Different, but neither less nor greater: a level the column does
    /// not list.
    Unordered,
    /// Not comparable at all: a value of another kind.
    Incomparable,
}

/// A compiled literal, typed by its column.
#[derive(Debug, Clone)]
enum Literal {
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    Text(String),
    /// A level by its rank, with the column's levels to rank a row's value;
    /// shared by all literals of one column.
    Level {
        rank: usize,
        levels: Arc<[String]>,
    },
}

impl Literal {
    /// How `value` stands to this literal.
    fn compare(&self, value: ValueRef<'_>) -> Comparison {
        let ordering = match (self, value) {
            (Literal::Number(x), ValueRef::Number(y)) => y.partial_cmp(x),
            (Literal::Number(x), ValueRef::Integer(n)) => Some(cmp_int_float(n, *x)),
            (Literal::Date(d), ValueRef::Date(e)) => Some(e.cmp(d)),
            (Literal::Bool(b), ValueRef::Bool(c)) => Some(c.cmp(b)),
            (Literal::Text(t), ValueRef::Text(s) | ValueRef::Level(s)) => Some(s.cmp(t)),
            (Literal::Level { rank, levels }, ValueRef::Level(s) | ValueRef::Text(s)) => {
                if levels.get(*rank).is_some_and(|level| eq_ci(s, level)) {
                    return Comparison::Ordered(Ordering::Equal);
                }
                match levels.iter().position(|level| eq_ci(s, level)) {
                    Some(own) => Some(own.cmp(rank)),
                    None => return Comparison::Unordered,
                }
            }
            _ => None,
        };
        ordering.map_or(Comparison::Incomparable, Comparison::Ordered)
    }
}

/// Compares a whole number with a finite real exactly; converting the
/// integer to `f64` would round above 2^53.
fn cmp_int_float(n: i64, x: f64) -> Ordering {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if x >= TWO_63 {
        return Ordering::Less;
    }
    if x < -TWO_63 {
        return Ordering::Greater;
    }
    let whole = x.trunc();
    // `whole` is within i64's range, so the cast is exact; the fraction
    // decides between equal whole parts.
    n.cmp(&(whole as i64))
        .then_with(|| 0.0.partial_cmp(&(x - whole)).unwrap_or(Ordering::Equal))
}

/// A compiled filter expression.
#[derive(Debug, Clone)]
enum Node {
    Any(Vec<Node>),
    All(Vec<Node>),
    Not(Box<Node>),
    Missing(usize),
    Compare {
        field: usize,
        op: CmpOp,
        literal: Literal,
    },
    In {
        field: usize,
        literals: Vec<Literal>,
        negated: bool,
    },
    /// `~`, with the needle already lowercased.
    Contains {
        field: usize,
        needle: String,
    },
}

impl Node {
    fn eval<R: Row + ?Sized>(&self, row: &R) -> bool {
        match self {
            Node::Any(nodes) => nodes.iter().any(|node| node.eval(row)),
            Node::All(nodes) => nodes.iter().all(|node| node.eval(row)),
            Node::Not(node) => !node.eval(row),
            Node::Missing(field) => present(row, *field).is_none(),
            Node::Compare { field, op, literal } => {
                present(row, *field).is_some_and(|value| op.holds(literal.compare(value)))
            }
            Node::In {
                field,
                literals,
                negated,
            } => {
                let Some(value) = present(row, *field) else {
                    return false;
                };
                let mut comparable = false;
                for literal in literals {
                    match literal.compare(value) {
                        Comparison::Ordered(Ordering::Equal) => return !negated,
                        Comparison::Ordered(_) | Comparison::Unordered => comparable = true,
                        Comparison::Incomparable => {}
                    }
                }
                // A value none of the literals can be compared with is
                // neither in nor out of the list, like a missing one.
                comparable && *negated
            }
            Node::Contains { field, needle } => match present(row, *field) {
                Some(ValueRef::Text(text) | ValueRef::Level(text)) => contains_ci(text, needle),
                _ => false,
            },
        }
    }
}

/// The row's value of `field`, with NaN counted as missing.
fn present<R: Row + ?Sized>(row: &R, field: usize) -> Option<ValueRef<'_>> {
    row.value(field)
        .filter(|value| !matches!(value, ValueRef::Number(x) if x.is_nan()))
}

/// Case-insensitive equality without allocating, ASCII first because
/// levels and names nearly always are.
fn eq_ci(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Lowercases the way [`contains_ci`] compares: character by character.
fn lowercase(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// Whether `haystack` contains `needle_lower` (already [`lowercase`]d),
/// ignoring case, without allocating.
fn contains_ci(haystack: &str, needle_lower: &str) -> bool {
    if haystack.is_ascii() && needle_lower.is_ascii() {
        let needle = needle_lower.as_bytes();
        return needle.is_empty()
            || haystack
                .as_bytes()
                .windows(needle.len())
                .any(|window| window.eq_ignore_ascii_case(needle));
    }
    let starts_with = |rest: &str| {
        let mut rest = rest.chars().flat_map(char::to_lowercase);
        needle_lower.chars().all(|c| rest.next() == Some(c))
    };
    needle_lower.is_empty()
        || haystack
            .char_indices()
            .any(|(i, _)| starts_with(&haystack[i..]))
}

/// Optimal-string-alignment distance, ignoring case: a transposed pair
/// (`hihg`) costs one edit, as a typist would count it.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            let mut distance = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            if i > 0 && j > 0 && ca == b[j - 1] && a[i - 1] == cb {
                distance = distance.min(before[j - 1] + 1);
            }
            current[j + 1] = distance;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The candidate closest to `name`, if close enough to be a typo of it.
fn suggest<'c>(name: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let len = name.chars().count();
    if len > MAX_SUGGESTION_LEN {
        return None;
    }
    let limit = match len {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    candidates
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .min_by_key(|&(distance, _)| distance)
        .filter(|&(distance, _)| distance <= limit)
        .map(|(_, candidate)| candidate)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok<'s> {
    Word(&'s str),
    /// A quoted value, without its quotes.
    Quoted(&'s str),
    Open,
    Close,
    Comma,
    Compare(CmpOp),
    Tilde,
    AndSign,
    OrSign,
    Bang,
}

impl Tok<'_> {
    fn is_word(&self, keyword: &str) -> bool {
        matches!(self, Tok::Word(word) if word.eq_ignore_ascii_case(keyword))
    }

    fn is_and(&self) -> bool {
        *self == Tok::AndSign || self.is_word("and")
    }

    fn is_or(&self) -> bool {
        *self == Tok::OrSign || self.is_word("or")
    }

    fn is_not(&self) -> bool {
        *self == Tok::Bang || self.is_word("not")
    }
}

#[derive(Debug, Clone)]
struct Token<'s> {
    tok: Tok<'s>,
    span: Range<usize>,
}

fn is_word_char(c: char) -> bool {
    !c.is_whitespace()
        && !matches!(
            c,
            '(' | ')' | ',' | '"' | '\'' | '=' | '!' | '<' | '>' | '~' | '&' | '|'
        )
}

fn lex(source: &str) -> Result<Vec<Token<'_>>, QueryError> {
    let mut tokens = Vec::new();
    let mut chars = source.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let mut then = |expected: char| chars.next_if(|&(_, next)| next == expected).is_some();
        let (tok, len) = match c {
            c if c.is_whitespace() => continue,
            '(' => (Tok::Open, 1),
            ')' => (Tok::Close, 1),
            ',' => (Tok::Comma, 1),
            '~' => (Tok::Tilde, 1),
            '=' if then('=') => (Tok::Compare(CmpOp::Eq), 2),
            '=' => (Tok::Compare(CmpOp::Eq), 1),
            '!' if then('=') => (Tok::Compare(CmpOp::Ne), 2),
            '!' => (Tok::Bang, 1),
            '<' if then('=') => (Tok::Compare(CmpOp::Le), 2),
            '<' if then('>') => (Tok::Compare(CmpOp::Ne), 2),
            '<' => (Tok::Compare(CmpOp::Lt), 1),
            '>' if then('=') => (Tok::Compare(CmpOp::Ge), 2),
            '>' => (Tok::Compare(CmpOp::Gt), 1),
            '&' if then('&') => (Tok::AndSign, 2),
            '|' if then('|') => (Tok::OrSign, 2),
            '&' | '|' => {
                return Err(QueryError::new(
                    source,
                    QueryErrorKind::Syntax,
                    start..start + 1,
                    format!("unexpected `{c}`; did you mean `{c}{c}`?"),
                ));
            }
            '"' | '\'' => {
                let body = start + 1;
                let Some(len) = source.get(body..).and_then(|rest| rest.find(c)) else {
                    return Err(QueryError::new(
                        source,
                        QueryErrorKind::Syntax,
                        start..source.len(),
                        format!("unterminated string: no closing {c}"),
                    ));
                };
                let end = body + len + 1;
                while chars.next_if(|&(i, _)| i < end).is_some() {}
                let text = source.get(body..body + len).unwrap_or_default();
                tokens.push(Token {
                    tok: Tok::Quoted(text),
                    span: start..end,
                });
                continue;
            }
            c => {
                let mut end = start + c.len_utf8();
                while let Some((i, next)) = chars.next_if(|&(_, next)| is_word_char(next)) {
                    end = i + next.len_utf8();
                }
                let word = source.get(start..end).unwrap_or_default();
                (Tok::Word(word), end - start)
            }
        };
        tokens.push(Token {
            tok,
            span: start..start + len,
        });
    }
    Ok(tokens)
}

struct Parser<'s, 'f> {
    source: &'s str,
    tokens: Vec<Token<'s>>,
    pos: usize,
    fields: &'f [Field],
    /// Each categorical column's levels, shared by its literals; filled on
    /// first use.
    levels: Vec<Option<Arc<[String]>>>,
    used: Vec<usize>,
    depth: usize,
}

impl<'s, 'f> Parser<'s, 'f> {
    fn peek(&self) -> Option<&Token<'s>> {
        self.tokens.get(self.pos)
    }

    fn bump(&mut self) -> Option<Token<'s>> {
        let token = self.tokens.get(self.pos).cloned();
        if token.is_some() {
            self.pos += 1;
        }
        token
    }

    fn error(&self, kind: QueryErrorKind, span: Range<usize>, message: String) -> QueryError {
        QueryError::new(self.source, kind, span, message)
    }

    /// Where a token is, or the end of the input for none.
    fn span_of(&self, token: Option<&Token<'s>>) -> Range<usize> {
        token.map_or(self.source.len()..self.source.len(), |token| {
            token.span.clone()
        })
    }

    /// A token as the user wrote it, for messages.
    fn describe(&self, token: Option<&Token<'s>>) -> String {
        match token {
            Some(token) => format!("`{}`", self.text(&token.span)),
            None => "the end of the filter".to_owned(),
        }
    }

    fn text(&self, span: &Range<usize>) -> &'s str {
        self.source.get(span.clone()).unwrap_or_default()
    }

    fn syntax(&self, token: Option<&Token<'s>>, expected: &str) -> QueryError {
        self.error(
            QueryErrorKind::Syntax,
            self.span_of(token),
            format!("expected {expected}, found {}", self.describe(token)),
        )
    }

    fn descend(&mut self, span: &Range<usize>) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(
                QueryErrorKind::Syntax,
                span.clone(),
                format!("parentheses and `not` nest more than {MAX_DEPTH} deep"),
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Node, QueryError> {
        let first = self.and()?;
        if !self.peek().is_some_and(|token| token.tok.is_or()) {
            return Ok(first);
        }
        let mut terms = vec![first];
        while self.peek().is_some_and(|token| token.tok.is_or()) {
            self.pos += 1;
            terms.push(self.and()?);
        }
        Ok(Node::Any(terms))
    }

    fn and(&mut self) -> Result<Node, QueryError> {
        let first = self.not()?;
        if !self.peek().is_some_and(|token| token.tok.is_and()) {
            return Ok(first);
        }
        let mut terms = vec![first];
        while self.peek().is_some_and(|token| token.tok.is_and()) {
            self.pos += 1;
            terms.push(self.not()?);
        }
        Ok(Node::All(terms))
    }

    fn not(&mut self) -> Result<Node, QueryError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.syntax(None, "a column name"));
        };
        if token.tok.is_not() {
            self.pos += 1;
            self.descend(&token.span)?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Node::Not(Box::new(inner)));
        }
        if token.tok == Tok::Open {
            self.pos += 1;
            self.descend(&token.span)?;
            let inner = self.or()?;
            match self.bump() {
                Some(Token {
                    tok: Tok::Close, ..
                }) => {}
                None => {
                    return Err(self.error(
                        QueryErrorKind::UnbalancedParenthesis,
                        token.span,
                        "unclosed `(`".to_owned(),
                    ));
                }
                Some(other) => return Err(self.syntax(Some(&other), "`and`, `or` or `)`")),
            }
            self.depth -= 1;
            return Ok(inner);
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Node, QueryError> {
        let token = self.bump();
        let (name, name_span) = match &token {
            Some(Token {
                tok: Tok::Word(word),
                span,
            }) if !token_is_and_or(word) => (*word, span.clone()),
            _ => return Err(self.syntax(token.as_ref(), "a column name")),
        };
        let (index, field) = self.resolve(name, name_span)?;
        let op_token = self.bump();
        let Some(op) = op_token.clone() else {
            return Err(self.syntax(
                None,
                &format!("an operator after `{name}` (=, !=, <, <=, >, >=, ~, in or is missing)"),
            ));
        };
        match op.tok {
            Tok::Compare(cmp) => {
                if cmp.is_ordering() && matches!(field.kind, FieldKind::Text | FieldKind::Boolean) {
                    let instead = match field.kind {
                        FieldKind::Text => "=, !=, ~ or in",
                        _ => "= or !=",
                    };
                    return Err(self.error(
                        QueryErrorKind::Operator,
                        op.span.clone(),
                        format!(
                            "`{}` does not apply to {}, which is {}; use {instead}",
                            self.text(&op.span),
                            field.name,
                            field.kind.noun()
                        ),
                    ));
                }
                let expected = format!("a value after `{}`", self.text(&op.span));
                let (text, span) = self.value(&expected)?;
                let literal = self.literal(index, field, text, span)?;
                Ok(Node::Compare {
                    field: index,
                    op: cmp,
                    literal,
                })
            }
            Tok::Tilde => {
                if !matches!(field.kind, FieldKind::Text | FieldKind::Categorical(_)) {
                    return Err(self.error(
                        QueryErrorKind::Operator,
                        op.span,
                        format!("`~` matches text; {} is {}", field.name, field.kind.noun()),
                    ));
                }
                let (text, _) = self.value("a value after `~`")?;
                Ok(Node::Contains {
                    field: index,
                    needle: lowercase(text),
                })
            }
            _ if op.tok.is_word("in") => self.list(index, field, false),
            _ if op.tok.is_word("not") => match self.bump() {
                Some(token) if token.tok.is_word("in") => self.list(index, field, true),
                other => Err(self.syntax(other.as_ref(), "`in` after `not`")),
            },
            _ if op.tok.is_word("is") => {
                let negated = self.peek().is_some_and(|token| token.tok.is_word("not"));
                if negated {
                    self.pos += 1;
                }
                match self.bump() {
                    Some(token) if token.tok.is_word("missing") => {}
                    other => {
                        let expected = if negated {
                            "`missing` after `is not`"
                        } else {
                            "`missing` or `not missing` after `is`"
                        };
                        return Err(self.syntax(other.as_ref(), expected));
                    }
                }
                let test = Node::Missing(index);
                Ok(if negated {
                    Node::Not(Box::new(test))
                } else {
                    test
                })
            }
            _ => Err(self.syntax(
                Some(&op),
                &format!("an operator after `{name}` (=, !=, <, <=, >, >=, ~, in or is missing)"),
            )),
        }
    }

    /// The rest of `in (…)` after `in`.
    fn list(&mut self, index: usize, field: &Field, negated: bool) -> Result<Node, QueryError> {
        let open = match self.bump() {
            Some(token) if token.tok == Tok::Open => token,
            other => return Err(self.syntax(other.as_ref(), "`(` after `in`")),
        };
        let mut literals = Vec::new();
        loop {
            let (text, span) = self.value("a value in the list")?;
            literals.push(self.literal(index, field, text, span)?);
            match self.bump() {
                Some(token) if token.tok == Tok::Comma => {}
                Some(token) if token.tok == Tok::Close => break,
                None => {
                    return Err(self.error(
                        QueryErrorKind::UnbalancedParenthesis,
                        open.span,
                        "unclosed `(`".to_owned(),
                    ));
                }
                Some(other) => return Err(self.syntax(Some(&other), "`,` or `)`")),
            }
        }
        Ok(Node::In {
            field: index,
            literals,
            negated,
        })
    }

    /// A value's text and span; a bare `and` or `or` is taken for a
    /// forgotten value, since a value with that text can be quoted.
    fn value(&mut self, expected: &str) -> Result<(&'s str, Range<usize>), QueryError> {
        match self.bump() {
            Some(Token {
                tok: Tok::Quoted(text) | Tok::Word(text),
                span,
            }) if !token_is_and_or(text) || self.text(&span).starts_with(['"', '\'']) => {
                Ok((text, span))
            }
            Some(
                token @ Token {
                    tok: Tok::Word(_), ..
                },
            ) => Err(self.error(
                QueryErrorKind::Syntax,
                token.span.clone(),
                format!(
                    "expected {expected}, found {} (quote it to mean the word)",
                    self.describe(Some(&token))
                ),
            )),
            other => Err(self.syntax(other.as_ref(), expected)),
        }
    }

    /// Finds a column by name: exactly, else ignoring case.
    fn resolve(
        &mut self,
        name: &str,
        span: Range<usize>,
    ) -> Result<(usize, &'f Field), QueryError> {
        let fields = self.fields;
        let found = fields
            .iter()
            .enumerate()
            .find(|(_, field)| field.name == name)
            .or_else(|| {
                fields
                    .iter()
                    .enumerate()
                    .find(|(_, field)| eq_ci(&field.name, name))
            });
        let Some((index, field)) = found else {
            let mut message = format!("no column `{name}`");
            if let Some(close) = suggest(name, fields.iter().map(|field| field.name.as_str())) {
                message.push_str(&format!("; did you mean `{close}`?"));
            }
            return Err(self.error(QueryErrorKind::UnknownField, span, message));
        };
        if !self.used.contains(&index) {
            self.used.push(index);
        }
        Ok((index, field))
    }

    /// Reads a literal of `field`'s kind.
    fn literal(
        &mut self,
        index: usize,
        field: &Field,
        text: &str,
        span: Range<usize>,
    ) -> Result<Literal, QueryError> {
        let wrong_type = |what: &str| {
            self.error(
                QueryErrorKind::WrongType,
                span.clone(),
                format!("{} is {what}; `{text}` is not", field.name),
            )
        };
        match &field.kind {
            FieldKind::Number => parse_finite(text)
                .map(Literal::Number)
                .map_err(|_| wrong_type("a number")),
            FieldKind::Date => NaiveDate::parse_from_str(text, ISO_DATE)
                .map(Literal::Date)
                .map_err(|_| wrong_type("a date (YYYY-MM-DD)")),
            FieldKind::Boolean => parse_bool(text)
                .map(Literal::Bool)
                .map_err(|_| wrong_type("yes or no (or true/false, 1/0)")),
            FieldKind::Text => Ok(Literal::Text(text.to_owned())),
            FieldKind::Categorical(levels) => {
                let Some(rank) = levels.iter().position(|level| eq_ci(level, text)) else {
                    let mut message = if levels.is_empty() {
                        format!("{} has no levels; not `{text}`", field.name)
                    } else {
                        format!(
                            "{} has levels {}; not `{text}`",
                            field.name,
                            levels.join(", ")
                        )
                    };
                    if let Some(close) = suggest(text, levels.iter().map(String::as_str)) {
                        message.push_str(&format!("; did you mean `{close}`?"));
                    }
                    return Err(self.error(QueryErrorKind::UnknownLevel, span, message));
                };
                let levels = match self.levels.get(index).cloned().flatten() {
                    Some(shared) => shared,
                    None => {
                        let shared: Arc<[String]> = levels.as_slice().into();
                        if let Some(slot) = self.levels.get_mut(index) {
                            *slot = Some(Arc::clone(&shared));
                        }
                        shared
                    }
                };
                Ok(Literal::Level { rank, levels })
            }
        }
    }
}

fn token_is_and_or(word: &str) -> bool {
    word.eq_ignore_ascii_case("and") || word.eq_ignore_ascii_case("or")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::*;
    use crate::study::model::Sex;

    fn levels(names: &[&str]) -> FieldKind {
        FieldKind::Categorical(names.iter().map(|name| (*name).to_owned()).collect())
    }

    fn schema() -> Vec<Field> {
        vec![
            Field::new("cohort", levels(&["training", "validation"])),
            Field::new("ca19_9", FieldKind::Number),
            Field::new("risk", levels(&["high", "low"])),
            Field::new("age", FieldKind::Number),
            Field::new("sex", levels(&["M", "F"])),
            Field::new("surgery_date", FieldKind::Date),
            Field::new("differentiation", levels(&["well", "moderate", "poor"])),
            Field::new("regimen", FieldKind::Text),
            Field::new("site", FieldKind::Text),
            Field::new("lymphadenectomy", FieldKind::Boolean),
            Field::new("cycles", FieldKind::Number),
        ]
    }

    fn row(values: &[(&str, Value)]) -> Vec<Option<Value>> {
        let fields = schema();
        let mut row = vec![None; fields.len()];
        for (name, value) in values {
            let index = fields.iter().position(|f| f.name == *name).unwrap();
            row[index] = Some(value.clone());
        }
        row
    }

    fn parse(text: &str) -> Query {
        Query::parse(text, &schema()).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn matches(text: &str, row: &[Option<Value>]) -> bool {
        parse(text).matches(row)
    }

    fn parse_error(text: &str) -> QueryError {
        match Query::parse(text, &schema()) {
            Ok(_) => panic!("{text} parsed"),
            Err(error) => error,
        }
    }

    fn level(text: &str) -> Value {
        Value::Level(text.to_owned())
    }

    fn text(text: &str) -> Value {
        Value::Text(text.to_owned())
    }

    fn date(year: i32, month: u32, day: u32) -> Value {
        Value::Date(NaiveDate::from_ymd_opt(year, month, day).unwrap())
    }

    /// Asserts each `(query, expected)` on `patient`.
    fn check(patient: &[Option<Value>], cases: &[(&str, bool)]) {
        for &(query, expected) in cases {
            assert_eq!(matches(query, patient), expected, "{query} on {patient:?}");
        }
    }

    #[test]
    fn the_documented_examples_work() {
        let patient = row(&[
            ("cohort", level("validation")),
            ("ca19_9", Value::Number(120.0)),
            ("risk", level("high")),
            ("age", Value::Integer(58)),
            ("sex", level("F")),
            ("surgery_date", date(2019, 3, 1)),
            ("differentiation", level("moderate")),
            ("regimen", text("GEMOX")),
            ("site", text("liver and lung")),
        ]);
        check(
            &patient,
            &[
                ("cohort = validation and ca19_9 > 37 and risk = high", true),
                ("age >= 60 or not (sex = M)", true),
                ("age >= 60 or not (sex = F)", false),
                ("surgery_date < 2019-06-01", true),
                ("surgery_date >= 2019-06-01", false),
                ("lymphadenectomy is missing", true),
                ("ca19_9 is missing", false),
                ("ca19_9 is not missing", true),
                ("differentiation in (well, moderate)", true),
                ("differentiation in (well, poor)", false),
                ("regimen ~ gem", true),
                ("regimen ~ cis", false),
                ("site = \"liver and lung\"", true),
                ("site = 'liver and lung'", true),
                ("site = liver", false),
                ("ca19_9 != 37 && risk == high || age < 0", true),
                ("!(age >= 60)", true),
                ("cohort=validation&&age<60", true),
            ],
        );
    }

    #[test]
    fn not_binds_tighter_than_and_which_binds_tighter_than_or() {
        for bits in 0..8u8 {
            let (a, b, c) = (bits & 1 != 0, bits & 2 != 0, bits & 4 != 0);
            let patient = row(&[
                ("age", Value::Number(if a { 70.0 } else { 50.0 })),
                ("ca19_9", Value::Number(if b { 100.0 } else { 10.0 })),
                ("risk", level(if c { "high" } else { "low" })),
            ]);
            let cases = [
                ("age > 60 or ca19_9 > 37 and risk = high", a || (b && c)),
                ("age > 60 and ca19_9 > 37 or risk = high", (a && b) || c),
                ("(age > 60 or ca19_9 > 37) and risk = high", (a || b) && c),
                ("not age > 60 and ca19_9 > 37", !a && b),
                ("not (age > 60 and ca19_9 > 37)", !(a && b)),
                ("! age > 60 || ca19_9 > 37 && risk = high", !a || (b && c)),
                ("not not age > 60", a),
                ("age > 60 or ca19_9 > 37 or risk = high", a || b || c),
                ("age > 60 and ca19_9 > 37 and risk = high", a && b && c),
                ("((age > 60))", a),
                (
                    "age > 60 AND ca19_9 > 37 OR NOT risk = high",
                    (a && b) || !c,
                ),
            ];
            for (query, expected) in cases {
                assert_eq!(
                    matches(query, &patient),
                    expected,
                    "{query} with a={a} b={b} c={c}"
                );
            }
        }
    }

    #[test]
    fn every_operator_on_numbers_real_or_whole() {
        for value in [Value::Number(37.0), Value::Integer(37)] {
            check(
                &row(&[("ca19_9", value)]),
                &[
                    ("ca19_9 = 37", true),
                    ("ca19_9 == 37.0", true),
                    ("ca19_9 = 3.7e1", true),
                    ("ca19_9 != 37", false),
                    ("ca19_9 <> 36", true),
                    ("ca19_9 < 37", false),
                    ("ca19_9 < 37.5", true),
                    ("ca19_9 <= 37", true),
                    ("ca19_9 <= 36.9", false),
                    ("ca19_9 > 37", false),
                    ("ca19_9 > 36.9", true),
                    ("ca19_9 >= 37", true),
                    ("ca19_9 > -1", true),
                    ("ca19_9 in (1, 37)", true),
                    ("ca19_9 in (1, 2)", false),
                    ("ca19_9 not in (1, 2)", true),
                    ("ca19_9 not in (37)", false),
                    ("ca19_9 > \"36\"", true),
                ],
            );
        }
    }

    #[test]
    fn whole_numbers_compare_exactly_with_reals() {
        // 2^53 + 1 is not representable as f64: a lossy conversion would
        // make it equal to 2^53.
        check(
            &row(&[("cycles", Value::Integer(9_007_199_254_740_993))]),
            &[
                ("cycles > 9007199254740992", true),
                ("cycles = 9007199254740992", false),
            ],
        );
        check(
            &row(&[("cycles", Value::Integer(-2))]),
            &[
                ("cycles < -1.5", true),
                ("cycles > -2.5", true),
                ("cycles = -2", true),
            ],
        );
        check(
            &row(&[("cycles", Value::Integer(i64::MIN))]),
            &[("cycles < -1e30", false), ("cycles < -1e18", true)],
        );
        check(
            &row(&[("cycles", Value::Integer(i64::MAX))]),
            &[("cycles > 1e30", false), ("cycles < 1e30", true)],
        );
    }

    #[test]
    fn every_operator_on_dates() {
        check(
            &row(&[("surgery_date", date(2019, 3, 1))]),
            &[
                ("surgery_date = 2019-03-01", true),
                ("surgery_date != 2019-03-01", false),
                ("surgery_date < 2019-03-02", true),
                ("surgery_date < 2019-03-01", false),
                ("surgery_date <= 2019-03-01", true),
                ("surgery_date > 2019-02-28", true),
                ("surgery_date >= 2019-03-02", false),
                ("surgery_date in (2018-01-01, 2019-03-01)", true),
                ("surgery_date not in (2019-03-01)", false),
                ("surgery_date > '2019-02-28'", true),
            ],
        );
    }

    #[test]
    fn every_operator_on_levels_which_order_as_listed() {
        check(
            &row(&[("differentiation", level("moderate"))]),
            &[
                ("differentiation = moderate", true),
                ("differentiation != moderate", false),
                ("differentiation < poor", true),
                ("differentiation < moderate", false),
                ("differentiation <= moderate", true),
                ("differentiation > well", true),
                ("differentiation >= poor", false),
                ("differentiation ~ mod", true),
                ("differentiation ~ ERA", true),
                ("differentiation ~ poor", false),
                ("differentiation in (Well, MODERATE)", true),
                ("differentiation not in (poor)", true),
            ],
        );
        // A level the schema lacks is present, equal to none and unordered.
        check(
            &row(&[("differentiation", level("undifferentiated"))]),
            &[
                ("differentiation = moderate", false),
                ("differentiation != moderate", true),
                ("differentiation < poor", false),
                ("differentiation > well", false),
                ("differentiation ~ undiff", true),
                ("differentiation is missing", false),
            ],
        );
    }

    #[test]
    fn every_operator_on_booleans() {
        check(
            &row(&[("lymphadenectomy", Value::Bool(true))]),
            &[
                ("lymphadenectomy = yes", true),
                ("lymphadenectomy = TRUE", true),
                ("lymphadenectomy = 1", true),
                ("lymphadenectomy == y", true),
                ("lymphadenectomy = no", false),
                ("lymphadenectomy != no", true),
                ("lymphadenectomy != yes", false),
                ("lymphadenectomy in (no)", false),
                ("lymphadenectomy in (yes, no)", true),
            ],
        );
    }

    #[test]
    fn every_operator_on_text() {
        check(
            &row(&[("regimen", text("GEMOX")), ("site", text("Foie Gauche É"))]),
            &[
                ("regimen = GEMOX", true),
                ("regimen = gemox", false),
                ("regimen != gemox", true),
                ("regimen != GEMOX", false),
                ("regimen ~ gem", true),
                ("regimen ~ OX", true),
                ("regimen ~ cis", false),
                ("regimen ~ ''", true),
                ("regimen in (FOLFOX, GEMOX)", true),
                ("regimen in (gemox)", false),
                ("regimen not in (gemox)", true),
                ("site ~ \"gauche é\"", true),
                ("site ~ 'È'", false),
            ],
        );
    }

    #[test]
    fn a_comparison_with_a_missing_value_is_false_and_not_flips_it() {
        let nobody = row(&[]);
        for query in [
            "ca19_9 = 37",
            "ca19_9 != 37",
            "ca19_9 < 37",
            "ca19_9 <= 37",
            "ca19_9 > 37",
            "ca19_9 >= 37",
            "ca19_9 in (37)",
            "ca19_9 not in (37)",
            "risk = high",
            "risk != high",
            "risk < low",
            "risk not in (high)",
            "regimen ~ gem",
            "regimen ~ ''",
            "regimen != x",
            "lymphadenectomy != yes",
            "surgery_date != 2019-01-01",
            "ca19_9 is not missing",
        ] {
            assert!(!matches(query, &nobody), "{query}");
            assert!(matches(&format!("not ({query})"), &nobody), "{query}");
        }
        assert!(matches("ca19_9 is missing", &nobody));
        // The difference between negating a test and the opposite test.
        assert!(matches("not (ca19_9 > 37)", &nobody));
        assert!(!matches("ca19_9 <= 37", &nobody));

        let nan = row(&[("ca19_9", Value::Number(f64::NAN))]);
        check(
            &nan,
            &[
                ("ca19_9 is missing", true),
                ("ca19_9 != 1", false),
                ("ca19_9 not in (1)", false),
            ],
        );

        // A value of the wrong kind is there but compares with nothing.
        check(
            &row(&[("ca19_9", text("high"))]),
            &[
                ("ca19_9 is missing", false),
                ("ca19_9 = 1", false),
                ("ca19_9 != 1", false),
                ("ca19_9 not in (1, 2)", false),
            ],
        );

        let short: [Option<Value>; 0] = [];
        assert!(matches("regimen is missing", &short));
    }

    #[test]
    fn keywords_columns_levels_and_booleans_ignore_case_but_text_does_not() {
        check(
            &row(&[
                ("cohort", level("validation")),
                ("risk", level("HIGH")),
                ("sex", level("F")),
                ("lymphadenectomy", Value::Bool(false)),
                ("site", text("Liver")),
            ]),
            &[
                ("COHORT = Validation AND Risk = high", true),
                ("sex = f", true),
                ("NOT lymphadenectomy = YES", true),
                ("risk IS NOT MISSING Or site Is Missing", true),
                ("sex NOT IN (m)", true),
                ("site = Liver", true),
                ("site = liver", false),
                ("site ~ LIV", true),
            ],
        );
    }

    #[test]
    fn an_exact_column_name_wins_over_one_differing_in_case() {
        let fields = [
            Field::new("age", FieldKind::Number),
            Field::new("AGE", FieldKind::Number),
        ];
        let query = Query::parse("AGE > 1", &fields).unwrap();
        assert_eq!(query.fields_used(), &[1]);
        let query = Query::parse("Age > 1", &fields).unwrap();
        assert_eq!(query.fields_used(), &[0]);
    }

    #[test]
    fn in_lists() {
        check(
            &row(&[("risk", level("high")), ("site", text("liver and lung"))]),
            &[
                ("risk in ('high')", true),
                ("risk in (low,high)", true),
                ("risk in (low)", false),
                ("site in (\"liver and lung\", lung)", true),
                ("site in (liver, lung)", false),
                ("site not in (liver, lung)", true),
            ],
        );
    }

    #[test]
    fn quoted_values_hold_spaces_operators_and_the_other_quote() {
        check(
            &row(&[("site", text("it's \"here\" (a=b), and there"))]),
            &[
                ("site ~ \"it's\"", true),
                ("site ~ '\"here\"'", true),
                ("site ~ \"(a=b), and\"", true),
            ],
        );
        check(
            &row(&[("site", text("and"))]),
            &[("site = \"and\"", true), ("site = 'AND'", false)],
        );
        check(&row(&[("site", text(""))]), &[("site = ''", true)]);
    }

    /// `(query, kind, character offset, message)` for each error.
    const ERRORS: &[(&str, QueryErrorKind, usize, &str)] = {
        use QueryErrorKind::*;
        &[
            (
                "ca199 > 37",
                UnknownField,
                0,
                "no column `ca199`; did you mean `ca19_9`?",
            ),
            ("age > 5 and xyz = 1", UnknownField, 12, "no column `xyz`"),
            ("age > abc", WrongType, 6, "age is a number; `abc` is not"),
            ("age > nan", WrongType, 6, "age is a number; `nan` is not"),
            (
                "surgery_date < 2019-13-01",
                WrongType,
                15,
                "surgery_date is a date (YYYY-MM-DD); `2019-13-01` is not",
            ),
            (
                "lymphadenectomy = maybe",
                WrongType,
                18,
                "lymphadenectomy is yes or no (or true/false, 1/0); `maybe` is not",
            ),
            (
                "risk = hihg",
                UnknownLevel,
                7,
                "risk has levels high, low; not `hihg`; did you mean `high`?",
            ),
            (
                "differentiation in (well, bad)",
                UnknownLevel,
                26,
                "differentiation has levels well, moderate, poor; not `bad`",
            ),
            ("age ~ 6", Operator, 4, "`~` matches text; age is a number"),
            (
                "lymphadenectomy < yes",
                Operator,
                16,
                "`<` does not apply to lymphadenectomy, which is yes or no; use = or !=",
            ),
            (
                "regimen >= a",
                Operator,
                8,
                "`>=` does not apply to regimen, which is text; use =, !=, ~ or in",
            ),
            (
                "age > 5 6",
                Syntax,
                8,
                "expected `and`, `or` or the end of the filter, found `6`",
            ),
            ("(age > 5", UnbalancedParenthesis, 0, "unclosed `(`"),
            ("age > 5)", UnbalancedParenthesis, 7, "unmatched `)`"),
            (
                "(age > 5 or (risk = high)",
                UnbalancedParenthesis,
                0,
                "unclosed `(`",
            ),
            ("risk in (high", UnbalancedParenthesis, 8, "unclosed `(`"),
            (
                "(age > 5 6)",
                Syntax,
                9,
                "expected `and`, `or` or `)`, found `6`",
            ),
            ("", Empty, 0, "the filter is empty"),
            ("  \t ", Empty, 0, "the filter is empty"),
            (
                "age >",
                Syntax,
                5,
                "expected a value after `>`, found the end of the filter",
            ),
            (
                "age",
                Syntax,
                3,
                "expected an operator after `age` (=, !=, <, <=, >, >=, ~, in or is missing), found the end of the filter",
            ),
            (
                "age 5",
                Syntax,
                4,
                "expected an operator after `age` (=, !=, <, <=, >, >=, ~, in or is missing), found `5`",
            ),
            (
                "age > 5 and",
                Syntax,
                11,
                "expected a column name, found the end of the filter",
            ),
            ("()", Syntax, 1, "expected a column name, found `)`"),
            (
                "\"age\" > 5",
                Syntax,
                0,
                "expected a column name, found `\"age\"`",
            ),
            (
                "site = \"liver",
                Syntax,
                7,
                "unterminated string: no closing \"",
            ),
            (
                "age > 5 & risk = high",
                Syntax,
                8,
                "unexpected `&`; did you mean `&&`?",
            ),
            (
                "age is 5",
                Syntax,
                7,
                "expected `missing` or `not missing` after `is`, found `5`",
            ),
            (
                "risk not high",
                Syntax,
                9,
                "expected `in` after `not`, found `high`",
            ),
            (
                "risk in high",
                Syntax,
                8,
                "expected `(` after `in`, found `high`",
            ),
            (
                "risk in ()",
                Syntax,
                9,
                "expected a value in the list, found `)`",
            ),
            (
                "risk in (high low)",
                Syntax,
                14,
                "expected `,` or `)`, found `low`",
            ),
            (
                "site = and risk = high",
                Syntax,
                7,
                "expected a value after `=`, found `and` (quote it to mean the word)",
            ),
        ]
    };

    #[test]
    fn errors_say_what_is_wrong_and_where() {
        for &(query, kind, offset, message) in ERRORS {
            let error = parse_error(query);
            assert_eq!(
                (
                    error.kind(),
                    error.char_offset(),
                    error.to_string().as_str()
                ),
                (kind, offset, message),
                "{query}"
            );
            assert_eq!(error.message(), message);
            // All of these are ASCII, so bytes and characters agree.
            assert_eq!(error.offset(), offset, "{query}");
        }
    }

    #[test]
    fn error_spans_cover_the_token_in_bytes_and_characters() {
        let error = parse_error("ca199 > 37");
        assert_eq!((error.span(), error.char_span()), (0..5, 0..5));
        let error = parse_error("age >");
        assert_eq!((error.span(), error.char_span()), (5..5, 5..5));

        // `é` takes two bytes, so the offsets part.
        let error = parse_error("site = \"é\" and âge > 1");
        assert_eq!(error.kind(), QueryErrorKind::UnknownField);
        assert_eq!(error.message(), "no column `âge`; did you mean `age`?");
        assert_eq!((error.span(), error.char_span()), (16..20, 15..18));
    }

    #[test]
    fn deep_nesting_is_refused_instead_of_overflowing_the_stack() {
        let n = 100_000;
        for query in [
            format!("{}age > 1{}", "(".repeat(n), ")".repeat(n)),
            format!("{}age > 1", "not ".repeat(n)),
            "!".repeat(n),
        ] {
            let error = parse_error(&query);
            assert_eq!(error.kind(), QueryErrorKind::Syntax);
            assert_eq!(
                error.message(),
                "parentheses and `not` nest more than 64 deep"
            );
        }
        let patient = row(&[("age", Value::Number(2.0))]);
        let deepest = format!("{}age > 1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(matches(&deepest, &patient));
        let negations = format!("{}age > 1", "not ".repeat(MAX_DEPTH));
        assert_eq!(matches(&negations, &patient), MAX_DEPTH.is_multiple_of(2));
    }

    #[test]
    fn a_query_keeps_its_text_and_lists_its_columns() {
        let text = "risk = high or age > 60 and RISK != low";
        let query = parse(text);
        assert_eq!(query.fields_used(), &[2, 3]);
        assert_eq!(query.as_str(), text);
        assert_eq!(query.to_string(), text);
    }

    #[test]
    fn rows_can_lend_values_they_hold_in_other_forms() {
        struct Patient {
            sex: Sex,
            age: Option<u32>,
            regimen: String,
        }
        impl Row for Patient {
            fn value(&self, field: usize) -> Option<ValueRef<'_>> {
                match field {
                    0 => Some(ValueRef::Level(self.sex.as_str())),
                    1 => self.age.map(|age| ValueRef::Integer(age.into())),
                    2 => Some(ValueRef::Text(&self.regimen)),
                    _ => None,
                }
            }
        }
        let variable = |name: &str, kind, levels: &[&str]| Variable {
            name: name.to_owned(),
            label: name.to_owned(),
            kind,
            unit: None,
            levels: levels.iter().map(|level| (*level).to_owned()).collect(),
            min: None,
            max: None,
            required: false,
        };
        let fields = [
            Field::from_variable(&variable("sex", VariableType::Categorical, &["M", "F"])),
            Field::from_variable(&variable("age", VariableType::Integer, &[])),
            Field::from_variable(&variable("regimen", VariableType::Text, &[])),
        ];
        assert_eq!(fields[1].kind, FieldKind::Number);
        let query = Query::parse("sex = f and age >= 60 and regimen ~ gem", &fields).unwrap();
        let mut patient = Patient {
            sex: Sex::Female,
            age: Some(64),
            regimen: "GEMOX".to_owned(),
        };
        assert!(query.matches(&patient));
        patient.age = None;
        assert!(!query.matches(&patient));
    }

    #[test]
    fn borrowed_values_convert_back() {
        for value in [
            Value::Number(1.5),
            Value::Integer(-3),
            level("high"),
            Value::Bool(true),
            date(2019, 6, 1),
            text("GEMOX"),
        ] {
            assert_eq!(ValueRef::from(&value).to_value(), value);
        }
    }

    const OPS: &[&str] = &["=", "==", "!=", "<>", "<", "<=", ">", ">="];

    /// A valid predicate on any column of [`schema`].
    fn predicate() -> impl Strategy<Value = String> {
        prop_oneof![
            (
                select(&["age", "ca19_9", "cycles"][..]),
                select(OPS),
                -3i32..4
            )
                .prop_map(|(field, op, n)| format!("{field} {op} {n}")),
            (select(OPS), -6i32..8).prop_map(|(op, h)| format!("age {op} {}", f64::from(h) / 2.0)),
            (select(OPS), 1u32..6).prop_map(|(op, m)| format!("surgery_date {op} 2019-0{m}-01")),
            (select(OPS), select(&["well", "Moderate", "POOR"][..]))
                .prop_map(|(op, level)| format!("differentiation {op} {level}")),
            (
                select(&["=", "!=", "=="][..]),
                select(&["yes", "no", "1", "FALSE"][..])
            )
                .prop_map(|(op, word)| format!("lymphadenectomy {op} {word}")),
            (
                select(&["regimen", "site", "risk"][..]),
                select(&["=", "!=", "~"][..]),
                select(&["GEMOX", "gem", "\"liver and lung\"", "''", "high", "LOW"][..])
            )
                .prop_filter("levels only", |(field, op, value)| {
                    *field != "risk" || *op == "~" || ["high", "LOW"].contains(value)
                })
                .prop_map(|(field, op, value)| format!("{field} {op} {value}")),
            (select(schema()), any::<bool>()).prop_map(|(field, not)| format!(
                "{} is {}missing",
                field.name,
                if not { "not " } else { "" }
            )),
            (
                any::<bool>(),
                prop::collection::vec(select(&["high", "Low"][..]), 1..3)
            )
                .prop_map(|(not, levels)| format!(
                    "risk {}in ({})",
                    if not { "not " } else { "" },
                    levels.join(", ")
                )),
            select(&["M", "f"][..]).prop_map(|sex| format!("sex = {sex}")),
            select(&["training", "VALIDATION"][..]).prop_map(|c| format!("cohort != {c}")),
        ]
    }

    fn query() -> impl Strategy<Value = String> {
        predicate().prop_recursive(3, 12, 2, |inner| {
            prop_oneof![
                (
                    inner.clone(),
                    inner.clone(),
                    select(&["and", "&&", "AND"][..])
                )
                    .prop_map(|(a, b, op)| format!("({a}) {op} ({b})")),
                (
                    inner.clone(),
                    inner.clone(),
                    select(&["or", "||", "Or"][..])
                )
                    .prop_map(|(a, b, op)| format!("({a}) {op} ({b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} or {b} and {a}")),
                inner.clone().prop_map(|a| format!("not ({a})")),
                inner.prop_map(|a| format!("!{a}")),
            ]
        })
    }

    fn value_of(kind: &FieldKind) -> BoxedStrategy<Value> {
        match kind {
            FieldKind::Number => prop_oneof![
                (-3i64..4).prop_map(Value::Integer),
                (-6i32..8).prop_map(|h| Value::Number(f64::from(h) / 2.0)),
                Just(Value::Number(f64::NAN)),
            ]
            .boxed(),
            FieldKind::Date => (1u32..6).prop_map(|m| date(2019, m, 1)).boxed(),
            FieldKind::Boolean => any::<bool>().prop_map(Value::Bool).boxed(),
            FieldKind::Text => {
                select(&["GEMOX", "gemcitabine", "FOLFOX", "", "liver and lung"][..])
                    .prop_map(text)
                    .boxed()
            }
            FieldKind::Categorical(levels) => {
                let mut spellings: Vec<String> = levels.clone();
                spellings.extend(levels.iter().map(|level| level.to_uppercase()));
                spellings.push("other".to_owned());
                select(spellings).prop_map(Value::Level).boxed()
            }
        }
    }

    /// A row of [`schema`] with any value, a NaN or nothing in each column.
    fn any_row() -> impl Strategy<Value = Vec<Option<Value>>> {
        schema()
            .iter()
            .map(|field| proptest::option::of(value_of(&field.kind)))
            .collect::<Vec<_>>()
    }

    const SOUP: &[&str] = &[
        "(",
        ")",
        ",",
        "~",
        "=",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "<>",
        "!",
        "&&",
        "||",
        "&",
        "|",
        "and",
        "or",
        "not",
        "in",
        "is",
        "missing",
        "age",
        "risk",
        "high",
        "hihg",
        "ca199",
        "2019-06-01",
        "-1.5",
        "nan",
        "\"",
        "'",
        "\"a b\"",
        "é",
        "yes",
        "regimen",
        "site",
        "surgery_date",
        "differentiation",
        "lymphadenectomy",
        "",
        "1e400",
    ];

    proptest! {
        #[test]
        fn not_negates_and_repeating_a_query_changes_nothing(query in query(), row in any_row()) {
            let fields = schema();
            let compile = |text: String| {
                Query::parse(&text, &fields)
                    .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))
            };
            let matched = compile(query.clone())?.matches(&row[..]);
            prop_assert_eq!(compile(format!("not ({query})"))?.matches(&row[..]), !matched);
            prop_assert_eq!(compile(format!("({query}) and ({query})"))?.matches(&row[..]), matched);
            prop_assert_eq!(compile(format!("({query}) or ({query})"))?.matches(&row[..]), matched);
            let either = compile(format!("({query}) or not ({query})"))?;
            prop_assert!(either.matches(&row[..]));
        }

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>(), row in any_row()) {
            if let Ok(query) = Query::parse(&text, &schema()) {
                query.matches(&row[..]);
            }
        }

        #[test]
        fn token_soup_never_panics(
            words in prop::collection::vec(select(SOUP), 0..16),
            glue in select(&[" ", ""][..]),
            row in any_row(),
        ) {
            let text = words.join(glue);
            match Query::parse(&text, &schema()) {
                Ok(query) => {
                    query.matches(&row[..]);
                }
                Err(error) => {
                    prop_assert!(error.span().end <= text.len());
                    prop_assert!(text.is_char_boundary(error.offset()));
                }
            }
        }
    }
}
