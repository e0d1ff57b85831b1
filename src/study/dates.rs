//! Calendar dates in files and in the database.

use chrono::NaiveDate;

/// ISO 8601 calendar date, the database's and the default file format.
pub const ISO_DATE: &str = "%Y-%m-%d";

/// Parses a date written in `format` (a chrono format string such as
/// `%d/%m/%Y`), naming the expected format when it fails.
pub fn parse_date(text: &str, format: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, format).map_err(|_| match example_date(format) {
        Some(example) => format!("expected a date in the form {format} (e.g. {example})"),
        None => format!("expected a date in the form {format}"),
    })
}

/// Formats a date in ISO 8601.
pub fn iso(date: NaiveDate) -> String {
    date.format(ISO_DATE).to_string()
}

/// 2019-03-31 written in `format`, or `None` when the format is invalid
/// (chrono reports that as a formatting error rather than up front).
fn example_date(format: &str) -> Option<String> {
    use std::fmt::Write;
    let probe = NaiveDate::from_ymd_opt(2019, 3, 31)?;
    let mut printed = String::new();
    write!(printed, "{}", probe.format(format)).ok()?;
    Some(printed)
}

/// Checks that a user-supplied chrono format string can print and read back
/// a full calendar date.
pub fn check_format(format: &str) -> Result<(), String> {
    let Some(printed) = example_date(format) else {
        return Err(format!("'{format}' is not a valid date format"));
    };
    match NaiveDate::parse_from_str(&printed, format) {
        Ok(date) if Some(date) == NaiveDate::from_ymd_opt(2019, 3, 31) => Ok(()),
        _ => Err(format!(
            "date format '{format}' does not name a full date (year, month and day)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_is_the_default_and_other_formats_work() {
        let date = NaiveDate::from_ymd_opt(2019, 3, 1).unwrap();
        assert_eq!(parse_date("2019-03-01", ISO_DATE), Ok(date));
        assert_eq!(parse_date("01/03/2019", "%d/%m/%Y"), Ok(date));
        assert_eq!(iso(date), "2019-03-01");
    }

    #[test]
    fn impossible_dates_are_refused_with_the_expected_form() {
        assert_eq!(
            parse_date("2019-02-30", ISO_DATE).unwrap_err(),
            "expected a date in the form %Y-%m-%d (e.g. 2019-03-31)"
        );
        assert!(parse_date("03/01/2019", ISO_DATE).is_err());
    }

    #[test]
    fn formats_without_a_full_date_are_refused() {
        assert!(check_format("%d/%m/%Y").is_ok());
        assert!(check_format("%Y-%m").is_err());
        assert!(check_format("%Q").is_err());
    }
}
