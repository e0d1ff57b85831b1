//! R model formulas (the right-hand side) and the model matrix they make
//! from a [`Frame`], as R's `terms()` and `model.matrix()` for a Cox model
//! (no intercept column).
//!
//! Syntax: variables joined by `+` (add terms), `:` (interaction) and `*`
//! (`a*b` = `a + b + a:b`), with parentheses (`(a + b):c` = `a:c + b:c`); a
//! leading `~` is allowed; a name that is not a plain R name is written in
//! backticks. Terms are ordered as R orders them: by the number of
//! variables (main effects, then two-way interactions, ...), within that by
//! first appearance; repeated terms count once; the variables inside an
//! interaction are ordered by their first appearance in the formula (so
//! `grade + treat + treat:grade` has the term `grade:treat`).
//!
//! Coding, as R with its default treatment contrasts: a numeric column is
//! used as it is; a text column is a factor with its levels in sorted order
//! (byte order, which is R's in the C locale) and the first level, or the
//! caller's reference level, as the baseline. A factor inside a term is
//! coded by contrasts (one dummy per non-reference level) when the term
//! without that factor is also in the model — the empty term, the
//! intercept, always counts, as R builds the Cox matrix with an intercept
//! and then drops it — and by one indicator per level otherwise (`x:f`
//! without `x` gives `x:fa`, `x:fb`, …). Interaction columns are products,
//! the first variable varying fastest, named by joining with `:`
//! (`gradeII:treat`). Rows where any variable of the formula is missing
//! are dropped (R's `na.omit`) and their indices reported.

use std::collections::BTreeMap;

use super::{Column, Design, Frame, StatsError};

/// A parsed formula: its terms, each a set of variables (as indices into
/// `variables`, sorted by first appearance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula {
    text: String,
    variables: Vec<String>,
    terms: Vec<Vec<usize>>,
}

/// The design columns of one term of a formula (a factor's dummies are one
/// term), for tests made per term such as R's `cox.zph`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermColumns {
    /// The term label, as R's `attr(terms, "term.labels")` (`grade:treat`).
    pub label: String,
    /// Its columns in the design, in order.
    pub columns: Vec<usize>,
}

/// A formula evaluated against a frame: the design matrix, the frame rows
/// it was made from, and which columns belong to which term.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelMatrix {
    /// The model matrix without intercept, columns named as R.
    pub design: Design,
    /// The frame rows used, in order (rows with a missing value dropped):
    /// align times and events with these.
    pub rows: Vec<usize>,
    /// The columns of each term, in term order.
    pub terms: Vec<TermColumns>,
}

impl Formula {
    /// Parses the right-hand side of an R formula. Errors name the
    /// offending token and its (1-based) character position.
    pub fn parse(text: &str) -> Result<Formula, StatsError> {
        let tokens = tokenize(text)?;
        let mut parser = Parser {
            text,
            tokens: &tokens,
            position: 0,
            variables: Vec::new(),
        };
        if let Some(Token {
            kind: TokenKind::Tilde,
            ..
        }) = parser.peek()
        {
            parser.position += 1;
        }
        if parser.peek().is_none() {
            return Err(formula_error(text, "the formula has no terms".to_owned()));
        }
        let terms = parser.sum()?;
        if let Some(token) = parser.peek() {
            let previous = parser
                .position
                .checked_sub(1)
                .and_then(|i| parser.tokens.get(i));
            let hint = match (&token.kind, previous) {
                (
                    TokenKind::Open,
                    Some(Token {
                        kind: TokenKind::Name(name),
                        ..
                    }),
                ) => format!(
                    " (a function such as {name}(...) is not supported: transform the column \
                     first, and give strata through the model's options)"
                ),
                _ => String::new(),
            };
            return Err(formula_error(
                text,
                format!(
                    "unexpected {} at position {}{hint}",
                    token.describe(),
                    token.position
                ),
            ));
        }
        let variables = parser.variables;
        // Sort each term's variables by first appearance, drop repeats, and
        // order terms by degree, then first appearance (stable sort).
        let mut unique: Vec<Vec<usize>> = Vec::new();
        for mut term in terms {
            term.sort_unstable();
            term.dedup();
            if !unique.contains(&term) {
                unique.push(term);
            }
        }
        unique.sort_by_key(Vec::len);
        Ok(Formula {
            text: text.to_owned(),
            variables,
            terms: unique,
        })
    }

    /// The variables used, in order of first appearance.
    pub fn variables(&self) -> &[String] {
        &self.variables
    }

    /// The term labels in R's order (`treat`, `high_risk`, `treat:high_risk`).
    pub fn term_labels(&self) -> Vec<String> {
        self.terms.iter().map(|term| self.label(term)).collect()
    }

    fn label(&self, term: &[usize]) -> String {
        term.iter()
            .map(|&v| self.variables[v].as_str())
            .collect::<Vec<_>>()
            .join(":")
    }

    /// Builds the model matrix from `frame` (see the module documentation),
    /// with `reference` giving the baseline level of text columns that
    /// should not use their first sorted level.
    ///
    /// Errors: a variable that is not a column ([`StatsError::UnknownColumn`]);
    /// a reference for a column that is not text or a level that does not
    /// occur; no complete row.
    pub fn model_matrix(
        &self,
        frame: &Frame,
        reference: &BTreeMap<String, String>,
    ) -> Result<ModelMatrix, StatsError> {
        let names: Vec<&str> = self.variables.iter().map(String::as_str).collect();
        let rows = frame.complete_rows(&names)?;
        if rows.is_empty() {
            return Err(StatsError::TooFewObservations {
                what: format!("rows with all of {} present", names.join(", ")),
                found: 0,
                needed: 1,
            });
        }
        for (column, level) in reference {
            if !self.variables.contains(column) {
                return Err(StatsError::invalid_parameter(
                    format!("reference level of \"{column}\""),
                    level,
                    "a reference for a variable of the formula",
                ));
            }
        }
        let variables: Vec<Variable> = self
            .variables
            .iter()
            .map(|name| Variable::new(frame, name, &rows, reference.get(name)))
            .collect::<Result<_, _>>()?;

        let mut columns: Vec<(String, Vec<f64>)> = Vec::new();
        let mut term_columns = Vec::with_capacity(self.terms.len());
        for term in &self.terms {
            // Each variable's coding inside this term: contrasts when the
            // term without it is in the model (the empty term always is).
            let parts: Vec<Vec<(String, Vec<f64>)>> = term
                .iter()
                .map(|&v| {
                    let without: Vec<usize> = term.iter().copied().filter(|&w| w != v).collect();
                    let contrasts = without.is_empty() || self.terms.contains(&without);
                    variables[v].columns(contrasts)
                })
                .collect();
            // Products, the first variable varying fastest (R's order).
            let mut product: Vec<(String, Vec<f64>)> = vec![(String::new(), vec![1.0; rows.len()])];
            for part in &parts {
                let mut next = Vec::with_capacity(product.len() * part.len());
                for (name, values) in part {
                    for (left_name, left) in &product {
                        let joined = if left_name.is_empty() {
                            name.clone()
                        } else {
                            format!("{left_name}:{name}")
                        };
                        let values = left.iter().zip(values).map(|(a, b)| a * b).collect();
                        next.push((joined, values));
                    }
                }
                product = next;
            }
            let first = columns.len();
            columns.extend(product);
            term_columns.push(TermColumns {
                label: self.label(term),
                columns: (first..columns.len()).collect(),
            });
        }
        Ok(ModelMatrix {
            design: Design::from_columns(columns)?,
            rows,
            terms: term_columns,
        })
    }
}

/// One variable's values on the kept rows, numeric or as a factor.
enum Variable {
    Numeric {
        name: String,
        values: Vec<f64>,
    },
    Factor {
        name: String,
        levels: Vec<String>,
        reference: usize,
        codes: Vec<usize>,
    },
}

impl Variable {
    fn new(
        frame: &Frame,
        name: &str,
        rows: &[usize],
        reference: Option<&String>,
    ) -> Result<Variable, StatsError> {
        match frame.column(name)? {
            Column::Numeric(values) => {
                if let Some(level) = reference {
                    return Err(StatsError::invalid_parameter(
                        format!("reference level of \"{name}\""),
                        level,
                        "a reference only for a text (categorical) column",
                    ));
                }
                Ok(Variable::Numeric {
                    name: name.to_owned(),
                    values: rows
                        .iter()
                        .map(|&r| values[r].unwrap_or(f64::NAN))
                        .collect(),
                })
            }
            Column::Text(values) => {
                let cells: Vec<&str> = rows
                    .iter()
                    .map(|&r| values[r].as_deref().unwrap_or(""))
                    .collect();
                let mut levels: Vec<String> = cells.iter().map(|s| (*s).to_owned()).collect();
                levels.sort_unstable();
                levels.dedup();
                let reference = match reference {
                    None => 0,
                    Some(level) => levels.iter().position(|l| l == level).ok_or_else(|| {
                        StatsError::invalid_parameter(
                            format!("reference level of \"{name}\""),
                            level,
                            format!("one of the levels present: {}", levels.join(", ")),
                        )
                    })?,
                };
                let codes = cells
                    .iter()
                    .map(|cell| {
                        levels
                            .binary_search_by(|l| l.as_str().cmp(cell))
                            .unwrap_or(0)
                    })
                    .collect();
                Ok(Variable::Factor {
                    name: name.to_owned(),
                    levels,
                    reference,
                    codes,
                })
            }
        }
    }

    /// The columns coding this variable: by contrasts against the reference
    /// (`contrasts`) or one indicator per level.
    fn columns(&self, contrasts: bool) -> Vec<(String, Vec<f64>)> {
        match self {
            Variable::Numeric { name, values } => vec![(name.clone(), values.clone())],
            Variable::Factor {
                name,
                levels,
                reference,
                codes,
            } => levels
                .iter()
                .enumerate()
                .filter(|&(level, _)| !contrasts || level != *reference)
                .map(|(level, label)| {
                    let values = codes
                        .iter()
                        .map(|&c| f64::from(u8::from(c == level)))
                        .collect();
                    (format!("{name}{label}"), values)
                })
                .collect(),
        }
    }
}

fn formula_error(text: &str, detail: String) -> StatsError {
    StatsError::Formula {
        formula: text.to_owned(),
        detail,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum TokenKind {
    Name(String),
    Plus,
    Colon,
    Star,
    Open,
    Close,
    Tilde,
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    kind: TokenKind,
    /// 1-based character position.
    position: usize,
}

impl Token {
    fn describe(&self) -> String {
        match &self.kind {
            TokenKind::Name(name) => format!("name \"{name}\""),
            TokenKind::Plus => "\"+\"".to_owned(),
            TokenKind::Colon => "\":\"".to_owned(),
            TokenKind::Star => "\"*\"".to_owned(),
            TokenKind::Open => "\"(\"".to_owned(),
            TokenKind::Close => "\")\"".to_owned(),
            TokenKind::Tilde => "\"~\"".to_owned(),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, StatsError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let position = i + 1;
        let simple = match c {
            '+' => Some(TokenKind::Plus),
            ':' => Some(TokenKind::Colon),
            '*' => Some(TokenKind::Star),
            '(' => Some(TokenKind::Open),
            ')' => Some(TokenKind::Close),
            '~' => Some(TokenKind::Tilde),
            _ => None,
        };
        if let Some(kind) = simple {
            tokens.push(Token { kind, position });
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '`' {
            let end = chars[i + 1..]
                .iter()
                .position(|&c| c == '`')
                .ok_or_else(|| {
                    formula_error(text, format!("unclosed backtick at position {position}"))
                })?;
            let name: String = chars[i + 1..i + 1 + end].iter().collect();
            if name.is_empty() {
                return Err(formula_error(
                    text,
                    format!("empty name at position {position}"),
                ));
            }
            tokens.push(Token {
                kind: TokenKind::Name(name),
                position,
            });
            i += end + 2;
        } else if c.is_alphabetic() || c == '.' {
            let length = chars[i..]
                .iter()
                .take_while(|c| c.is_alphanumeric() || **c == '.' || **c == '_')
                .count();
            let name: String = chars[i..i + length].iter().collect();
            tokens.push(Token {
                kind: TokenKind::Name(name),
                position,
            });
            i += length;
        } else {
            let hint = match c {
                '-' => " (removing terms with \"-\" is not supported)",
                '0'..='9' => " (an intercept term or a number is not supported)",
                '^' | '%' | '/' | '|' => " (this operator is not supported: use +, : and *)",
                _ => "",
            };
            return Err(formula_error(
                text,
                format!("unexpected character \"{c}\" at position {position}{hint}"),
            ));
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    text: &'a str,
    tokens: &'a [Token],
    position: usize,
    variables: Vec<String>,
}

/// A set of terms, each a list of variable indices.
type Terms = Vec<Vec<usize>>;

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn error_here(&self, expected: &str) -> StatsError {
        let detail = match self.peek() {
            Some(token) => format!(
                "expected {expected} at position {}, found {}",
                token.position,
                token.describe()
            ),
            None => format!("expected {expected} at the end of the formula"),
        };
        formula_error(self.text, detail)
    }

    /// sum := product ('+' product)*
    fn sum(&mut self) -> Result<Terms, StatsError> {
        let mut terms = self.product()?;
        while let Some(Token {
            kind: TokenKind::Plus,
            ..
        }) = self.peek()
        {
            self.position += 1;
            terms.extend(self.product()?);
        }
        Ok(terms)
    }

    /// product := atom ((':' | '*') atom)*, left to right.
    fn product(&mut self) -> Result<Terms, StatsError> {
        let mut left = self.atom()?;
        loop {
            let star = match self.peek().map(|t| &t.kind) {
                Some(TokenKind::Colon) => false,
                Some(TokenKind::Star) => true,
                _ => return Ok(left),
            };
            self.position += 1;
            let right = self.atom()?;
            let mut interactions: Terms = Vec::with_capacity(left.len() * right.len());
            for a in &left {
                for b in &right {
                    let mut term = a.clone();
                    term.extend(b);
                    interactions.push(term);
                }
            }
            if star {
                let mut all = left;
                all.extend(right);
                all.extend(interactions);
                left = all;
            } else {
                left = interactions;
            }
        }
    }

    /// atom := name | '(' sum ')'
    fn atom(&mut self) -> Result<Terms, StatsError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.error_here("a variable name or \"(\""));
        };
        match token.kind {
            TokenKind::Name(name) => {
                self.position += 1;
                let index = match self.variables.iter().position(|v| *v == name) {
                    Some(index) => index,
                    None => {
                        self.variables.push(name);
                        self.variables.len() - 1
                    }
                };
                Ok(vec![vec![index]])
            }
            TokenKind::Open => {
                self.position += 1;
                let terms = self.sum()?;
                match self.peek() {
                    Some(Token {
                        kind: TokenKind::Close,
                        ..
                    }) => {
                        self.position += 1;
                        Ok(terms)
                    }
                    _ => Err(self.error_here(&format!(
                        "\")\" closing the \"(\" at position {}",
                        token.position
                    ))),
                }
            }
            _ => Err(self.error_here("a variable name or \"(\"")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str) -> Vec<String> {
        Formula::parse(text).unwrap().term_labels()
    }

    #[test]
    fn orders_terms_as_r() {
        // R: attr(terms(~ g:x + x + a*b + c), "term.labels") = x a b c g:x a:b
        assert_eq!(
            labels("g:x + x + a*b + c"),
            ["x", "a", "b", "c", "g:x", "a:b"]
        );
        // R: terms(~ x:g + g) = g x:g (variables ordered x, g)
        assert_eq!(labels("~ x:g + g"), ["g", "x:g"]);
        assert_eq!(
            labels("a*b*c"),
            ["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"]
        );
        assert_eq!(labels("(a + b):c"), ["a:c", "b:c"]);
        assert_eq!(labels("(a + b)*c"), ["a", "b", "c", "a:c", "b:c"]);
        assert_eq!(labels("a + a + b:a + a:b"), ["a", "a:b"]);
        assert_eq!(labels("`my var` + b"), ["my var", "b"]);
    }

    #[test]
    fn names_the_offending_token() {
        let error = |text: &str| match Formula::parse(text) {
            Err(StatsError::Formula { detail, .. }) => detail,
            other => panic!("{text}: {other:?}"),
        };
        assert!(error("a + ").contains("end of the formula"));
        assert!(error("a + + b").contains("position 5"));
        assert!(error("(a + b").contains("closing the \"(\" at position 1"));
        assert!(error("a - b").contains("\"-\" at position 3"));
        assert!(error("a b").contains("name \"b\" at position 3"));
        assert!(error("").contains("no terms"));
        assert!(error("a + `b").contains("unclosed backtick"));
        assert!(error("a + strata(b)").contains("strata(...) is not supported"));
    }

    fn frame() -> Frame {
        let text = "x,f,g,y\n1,a,u,1\n2,b,v,0\n3,c,u,\n4,a,v,1\n5,b,u,0\n6,c,v,1\n";
        Frame::from_csv(text.as_bytes(), "t.csv").unwrap()
    }

    fn names(text: &str) -> Vec<String> {
        let formula = Formula::parse(text).unwrap();
        let matrix = formula.model_matrix(&frame(), &BTreeMap::new()).unwrap();
        matrix.design.names().to_vec()
    }

    #[test]
    fn codes_factors_as_r_model_matrix() {
        // Column names as R 4.2 model.matrix (intercept dropped) on the same data.
        assert_eq!(names("x + x:f"), ["x", "x:fb", "x:fc"]);
        assert_eq!(names("x:f"), ["x:fa", "x:fb", "x:fc"]);
        assert_eq!(names("f*g"), ["fb", "fc", "gv", "fb:gv", "fc:gv"]);
        assert_eq!(names("g + f:g"), ["gv", "gu:fb", "gv:fb", "gu:fc", "gv:fc"]);
        assert_eq!(names("g*x + f"), ["gv", "x", "fb", "fc", "gv:x"]);
        assert_eq!(
            names("(f + x):g"),
            [
                "fa:gu", "fb:gu", "fc:gu", "fa:gv", "fb:gv", "fc:gv", "x:gu", "x:gv"
            ]
        );
    }

    #[test]
    fn values_rows_and_reference_levels() {
        let formula = Formula::parse("x*f + y").unwrap();
        let reference = BTreeMap::from([("f".to_owned(), "b".to_owned())]);
        let matrix = formula.model_matrix(&frame(), &reference).unwrap();
        // Row 2 (y missing) is dropped.
        assert_eq!(matrix.rows, vec![0, 1, 3, 4, 5]);
        assert_eq!(
            matrix.design.names(),
            ["x", "fa", "fc", "y", "x:fa", "x:fc"]
        );
        let m = matrix.design.matrix();
        // Kept rows: x = 1, 2, 4, 5, 6; f = a, b, a, b, c.
        assert_eq!(
            m.column(1).iter().copied().collect::<Vec<_>>(),
            [1.0, 0.0, 1.0, 0.0, 0.0]
        );
        assert_eq!(
            m.column(5).iter().copied().collect::<Vec<_>>(),
            [0.0, 0.0, 0.0, 0.0, 6.0]
        );
        assert_eq!(
            matrix.terms,
            vec![
                TermColumns {
                    label: "x".into(),
                    columns: vec![0]
                },
                TermColumns {
                    label: "f".into(),
                    columns: vec![1, 2]
                },
                TermColumns {
                    label: "y".into(),
                    columns: vec![3]
                },
                TermColumns {
                    label: "x:f".into(),
                    columns: vec![4, 5]
                },
            ]
        );
    }

    #[test]
    fn refuses_unknown_columns_and_levels() {
        let formula = Formula::parse("x + nope").unwrap();
        assert!(matches!(
            formula.model_matrix(&frame(), &BTreeMap::new()),
            Err(StatsError::UnknownColumn { ref name, .. }) if name == "nope"
        ));
        let formula = Formula::parse("f").unwrap();
        let bad_level = BTreeMap::from([("f".to_owned(), "z".to_owned())]);
        assert!(matches!(
            formula.model_matrix(&frame(), &bad_level),
            Err(StatsError::InvalidParameter { .. })
        ));
        let numeric_reference = BTreeMap::from([("x".to_owned(), "1".to_owned())]);
        let formula = Formula::parse("x").unwrap();
        assert!(formula.model_matrix(&frame(), &numeric_reference).is_err());
    }
}
