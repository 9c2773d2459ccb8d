//! Resource quantities (`resource.Quantity`: `110`, `1k`, `2Ki`, `1e3`) read
//! as whole numbers, for counts such as a node's `capacity.pods`, and
//! checked for form and sign where only validity matters (quota limits).

/// Why a text is not the quantity a field needs; each variant holds the
/// text as written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// Not of the quantity grammar (`resource.ParseQuantity`).
    #[error("`{0}` is not a valid quantity")]
    Invalid(String),
    /// Beyond what the field can hold.
    #[error("`{0}` is too large")]
    TooLarge(String),
    /// A fraction where a count is needed.
    #[error("`{0}` is not a whole number")]
    NotWhole(String),
    /// Below zero.
    #[error("`{0}` must be greater than or equal to 0")]
    Negative(String),
}

/// A quantity cut into sign, digits and suffix (`-1.5Gi`: negative, `1`,
/// `5`, `Gi`).
struct Parts<'a> {
    negative: bool,
    int: &'a str,
    frac: &'a str,
    suffix: &'a str,
}

/// Cuts `s` into [`Parts`]; at least one digit, at most one `.`.
fn parts(s: &str) -> Result<Parts<'_>, QuantityError> {
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(digits_end);
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if (int.is_empty() && frac.is_empty()) || frac.contains('.') {
        return Err(QuantityError::Invalid(s.to_owned()));
    }
    Ok(Parts {
        negative,
        int,
        frac,
        suffix,
    })
}

/// The whole number a quantity denotes, or why it is not one.
pub fn whole_number(s: &str) -> Result<u64, QuantityError> {
    let bad = || QuantityError::Invalid(s.to_owned());
    let Parts {
        negative,
        int,
        frac,
        suffix,
    } = parts(s)?;
    // value = mantissa * 10^-frac_len * scale
    let mantissa: u128 = format!("{int}{frac}").parse().map_err(|_| bad())?;
    let (base, power): (u128, i64) = match suffix {
        "" => (10, 0),
        "Ki" => (1024, 1),
        "Mi" => (1024, 2),
        "Gi" => (1024, 3),
        "Ti" => (1024, 4),
        "Pi" => (1024, 5),
        "Ei" => (1024, 6),
        "n" => (10, -9),
        "u" => (10, -6),
        "m" => (10, -3),
        "k" => (10, 3),
        "M" => (10, 6),
        "G" => (10, 9),
        "T" => (10, 12),
        "P" => (10, 15),
        "E" => (10, 18),
        e if e.starts_with(['e', 'E']) => (10, e[1..].parse::<i64>().map_err(|_| bad())?),
        _ => return Err(bad()),
    };
    let too_big = || QuantityError::TooLarge(s.to_owned());
    let frac_len = i64::try_from(frac.len()).map_err(|_| too_big())?;
    // Exponent of ten to apply to the mantissa (binary scales separately).
    let (ten_exp, binary) = if base == 10 {
        (power - frac_len, 1u128)
    } else {
        let scale = 1024u128
            .checked_pow(u32::try_from(power).map_err(|_| bad())?)
            .ok_or_else(too_big)?;
        (-frac_len, scale)
    };
    let mut value = mantissa.checked_mul(binary).ok_or_else(too_big)?;
    if ten_exp >= 0 {
        let factor = 10u128
            .checked_pow(u32::try_from(ten_exp).map_err(|_| too_big())?)
            .ok_or_else(too_big)?;
        value = value.checked_mul(factor).ok_or_else(too_big)?;
    } else {
        let divisor = u32::try_from(-ten_exp)
            .ok()
            .and_then(|e| 10u128.checked_pow(e));
        match divisor {
            Some(d) if value % d == 0 => value /= d,
            _ if value == 0 => {}
            _ => return Err(QuantityError::NotWhole(s.to_owned())),
        }
    }
    if negative && value != 0 {
        return Err(QuantityError::Negative(s.to_owned()));
    }
    u64::try_from(value).map_err(|_| too_big())
}

/// Whether `s` is a well-formed, non-negative quantity (`500m`, `1.5Gi`,
/// `2e3`), as `ValidateResourceQuantityValue` requires.
pub fn non_negative(s: &str) -> Result<(), QuantityError> {
    let bad = || QuantityError::Invalid(s.to_owned());
    let Parts {
        negative,
        int,
        frac,
        suffix,
    } = parts(s)?;
    let suffix_ok = matches!(
        suffix,
        "" | "Ki"
            | "Mi"
            | "Gi"
            | "Ti"
            | "Pi"
            | "Ei"
            | "n"
            | "u"
            | "m"
            | "k"
            | "M"
            | "G"
            | "T"
            | "P"
            | "E"
    ) || suffix
        .strip_prefix(['e', 'E'])
        .is_some_and(|e| e.parse::<i64>().is_ok());
    if !suffix_ok {
        return Err(bad());
    }
    let zero = int.bytes().chain(frac.bytes()).all(|b| b == b'0');
    if negative && !zero {
        return Err(QuantityError::Negative(s.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_negative_quantities() {
        for s in ["1", "500m", "1.5Gi", "2e3", "0", "-0", "4Gi", ".5"] {
            assert_eq!(non_negative(s), Ok(()), "{s}");
        }
        for s in ["", "-1", "1x", "Gi", "1..2", "1e", "two"] {
            assert!(non_negative(s).is_err(), "{s}");
        }
    }

    #[test]
    fn whole_quantities() {
        assert_eq!(whole_number("110"), Ok(110));
        assert_eq!(whole_number("1k"), Ok(1000));
        assert_eq!(whole_number("2Ki"), Ok(2048));
        assert_eq!(whole_number("1e3"), Ok(1000));
        assert_eq!(whole_number("1.5k"), Ok(1500));
        assert_eq!(whole_number("250000m"), Ok(250));
        assert_eq!(whole_number("0"), Ok(0));
    }

    #[test]
    fn other_quantities_are_errors() {
        for s in ["", "1.5", "500m", "-1", "1x", "k", "1..2", "1e", "9Ei9"] {
            assert!(whole_number(s).is_err(), "{s}");
        }
    }
}
