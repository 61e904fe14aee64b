//! Column types the schema stores in a portable form (flags as integers, lists as JSON or
//! comma-separated text), decoded so row structs can `#[derive(sqlx::FromRow)]` with
//! `#[sqlx(try_from = "...")]` and keep their natural field types.
//!
//! The types are `pub` in a private module: public row types name them in their derived
//! `FromRow` bounds, yet nothing outside the crate can reach them.

use sqlx::any::{Any, AnyTypeInfo, AnyValueRef};
use sqlx::decode::Decode;
use sqlx::error::BoxDynError;
use sqlx::types::Type;

/// A boolean stored as an integer (`0` false, anything else true): neither backend's
/// `BOOLEAN` is used, so one schema reads the same through the `Any` driver.
pub struct Flag(bool);

/// `$ty` has the SQL type of `$stored`.
macro_rules! stored_as {
    ($ty:ty, $stored:ty) => {
        impl Type<Any> for $ty {
            fn type_info() -> AnyTypeInfo {
                <$stored as Type<Any>>::type_info()
            }
            fn compatible(ty: &AnyTypeInfo) -> bool {
                <$stored as Type<Any>>::compatible(ty)
            }
        }
    };
}

stored_as!(Flag, i64);

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Flag(<i64 as Decode<Any>>::decode(value)? != 0))
    }
}

impl From<Flag> for bool {
    fn from(f: Flag) -> bool {
        f.0
    }
}

/// Text that holds JSON. Unreadable JSON reads as the type's default (an empty list, a
/// null detail), as the hand-written readers did: a bad row must not hide the others.
pub struct JsonText(String);

stored_as!(JsonText, String);

impl<'r> Decode<'r, Any> for JsonText {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(JsonText(<String as Decode<Any>>::decode(value)?))
    }
}

impl From<JsonText> for Vec<String> {
    fn from(t: JsonText) -> Vec<String> {
        serde_json::from_str(&t.0).unwrap_or_default()
    }
}

impl From<JsonText> for serde_json::Value {
    fn from(t: JsonText) -> serde_json::Value {
        serde_json::from_str(&t.0).unwrap_or_default()
    }
}

/// A nullable comma-separated list (`NULL` is no list at all, unlike an empty one).
pub struct CommaList(Option<String>);

stored_as!(CommaList, String);

impl<'r> Decode<'r, Any> for CommaList {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(CommaList(<Option<String> as Decode<Any>>::decode(value)?))
    }
}

impl From<CommaList> for Option<Vec<String>> {
    fn from(l: CommaList) -> Option<Vec<String>> {
        l.0.map(|s| s.split(',').filter(|x| !x.is_empty()).map(str::to_string).collect())
    }
}
