//! IAM policy documents, kept parsed.

use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A parsed IAM policy document (identity policy or role trust policy).
///
/// IAM's API returns documents URL-encoded; the AWS CLI and boto3 print them
/// decoded. [`PolicyDocument::from_api`] accepts both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PolicyDocument(pub Value);

/// The policy text was neither a JSON object nor URL-encoded JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy document is not valid JSON after URL-decoding: {0}")]
pub struct BadPolicyDocument(pub String);

impl PolicyDocument {
    /// Read a document as IAM or the CLI gives it: an object, or a string that
    /// is URL-encoded (or plain) JSON.
    ///
    /// Only percent-escapes are decoded: a `+` stays a `+`, because IAM
    /// encodes with RFC 3986 rules, not HTML form rules.
    pub fn from_api(value: Value) -> Result<PolicyDocument, BadPolicyDocument> {
        match value {
            Value::String(text) => Self::from_text(&text),
            other => Ok(PolicyDocument(other)),
        }
    }

    /// Parse a document given as text, URL-encoded or not.
    pub fn from_text(text: &str) -> Result<PolicyDocument, BadPolicyDocument> {
        let trimmed = text.trim();
        if let Ok(v) = serde_json::from_str::<Value>(trimmed) {
            return Ok(PolicyDocument(v));
        }
        let decoded = percent_decode_str(trimmed).decode_utf8_lossy();
        serde_json::from_str::<Value>(&decoded)
            .map(PolicyDocument)
            .map_err(|e| BadPolicyDocument(e.to_string()))
    }

    /// The statements, whether `Statement` is one object or a list.
    pub fn statements(&self) -> Vec<&Value> {
        match self.0.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(one @ Value::Object(_)) => vec![one],
            _ => Vec::new(),
        }
    }

    /// Pretty-printed JSON, for display.
    pub fn pretty(&self) -> String {
        serde_json::to_string_pretty(&self.0).unwrap_or_else(|_| self.0.to_string())
    }
}

/// Values of a policy element that may be one string or a list of strings.
pub fn string_or_list(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

super::aws_enum::aws_enum! {
    /// The kind of principal a policy names.
    PrincipalType {
        Aws => "AWS",
        Service => "Service",
        Federated => "Federated",
        CanonicalUser => "CanonicalUser",
        /// `"Principal": "*"`: anyone.
        Anyone => "*",
    }
}

/// A principal a role's trust policy lets assume it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedPrincipal {
    pub principal_type: PrincipalType,
    pub value: String,
    /// Whether the statement requires an `sts:ExternalId`.
    pub requires_external_id: bool,
    /// Whether the statement has any condition at all.
    pub has_condition: bool,
}

impl PolicyDocument {
    /// Principals that an `Allow` statement of this trust policy names.
    pub fn trusted_principals(&self) -> Vec<TrustedPrincipal> {
        let mut out = Vec::new();
        for st in self.statements() {
            if st.get("Effect").and_then(Value::as_str) != Some("Allow") {
                continue;
            }
            let condition = st.get("Condition");
            let requires_external_id = condition.and_then(Value::as_object).is_some_and(|ops| {
                ops.values().any(|keys| {
                    keys.as_object().is_some_and(|k| {
                        k.keys()
                            .any(|key| key.eq_ignore_ascii_case("sts:ExternalId"))
                    })
                })
            });
            let has_condition = condition.is_some_and(|c| !c.is_null());
            match st.get("Principal") {
                Some(Value::String(s)) => out.push(TrustedPrincipal {
                    principal_type: PrincipalType::Anyone,
                    value: s.clone(),
                    requires_external_id,
                    has_condition,
                }),
                Some(Value::Object(map)) => {
                    for (kind, values) in map {
                        for v in string_or_list(values) {
                            out.push(TrustedPrincipal {
                                principal_type: PrincipalType::from(kind.as_str()),
                                value: v.to_string(),
                                requires_external_id,
                                has_condition,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// The account a principal ARN or bare account id belongs to.
pub fn principal_account(value: &str) -> Option<&str> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value);
    }
    let account = value.strip_prefix("arn:")?.split(':').nth(3)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_url_encoded_documents_keeping_plus() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aa+b%2F%2A%22%7D%5D%7D";
        let doc = PolicyDocument::from_api(Value::String(encoded.into())).expect("decodes");
        assert_eq!(doc.statements().len(), 1);
        assert_eq!(doc.statements()[0]["Resource"], "arn:aws:s3:::a+b/*");
    }

    #[test]
    fn accepts_decoded_objects_and_plain_text() {
        let v = json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}});
        assert_eq!(
            PolicyDocument::from_api(v.clone())
                .expect("object")
                .statements()
                .len(),
            1
        );
        let text = Value::String(v.to_string());
        assert_eq!(PolicyDocument::from_api(text).expect("text").0, v);
        assert!(PolicyDocument::from_api(Value::String("%7Bnot json".into())).is_err());
    }

    #[test]
    fn trust_policy_principals_and_external_id() {
        let doc = PolicyDocument(json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::999999999999:root"]},
             "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
             "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}
        ]}));
        let p = doc.trusted_principals();
        assert_eq!(p.len(), 2);
        assert!(!p[0].requires_external_id);
        assert!(p[1].requires_external_id);
        assert_eq!(principal_account(&p[0].value), Some("999999999999"));
        assert_eq!(principal_account("ec2.amazonaws.com"), None);
    }
}
