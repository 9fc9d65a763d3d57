//! What records activity: CloudTrail trails, AWS Config recorders and VPC
//! flow logs. A field that was not read is `None`: the checks then answer
//! unknown, never pass.

use serde::{Deserialize, Serialize};

fn is_false(b: &bool) -> bool {
    !*b
}

/// A CloudTrail trail, as DescribeTrails (with shadow trails),
/// GetTrailStatus and GetEventSelectors give it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Trail {
    /// The region the trail was created in: its status and selectors are
    /// read there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_region: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub multi_region: bool,
    /// An organization trail (it shows in member accounts too).
    #[serde(default, skip_serializing_if = "is_false")]
    pub organization: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub log_file_validation: bool,
    /// GetTrailStatus's IsLogging; `None` when it was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<bool>,
    /// GetEventSelectors; `None` when it was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selectors: Option<EventSelectors>,
}

/// A trail's event selectors: basic or advanced (a trail has one kind).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EventSelectors {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub basic: Vec<BasicSelector>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advanced: Vec<AdvancedSelector>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BasicSelector {
    /// `All`, `ReadOnly` or `WriteOnly`.
    pub read_write_type: String,
    pub include_management_events: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AdvancedSelector {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub fields: Vec<FieldSelector>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FieldSelector {
    /// `eventCategory`, `readOnly`, `eventSource`, …
    pub field: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
}

impl EventSelectors {
    /// Whether the selectors record management events that read and that
    /// write: `(read, write)`.
    pub fn management_events(&self) -> (bool, bool) {
        let mut read = false;
        let mut write = false;
        for s in self.basic.iter().filter(|s| s.include_management_events) {
            match s.read_write_type.as_str() {
                "All" => (read, write) = (true, true),
                "ReadOnly" => read = true,
                "WriteOnly" => write = true,
                _ => {}
            }
        }
        for s in &self.advanced {
            let category = s.fields.iter().find(|f| f.field == "eventCategory");
            if !category.is_some_and(|f| f.equals.iter().any(|v| v == "Management")) {
                continue;
            }
            // A readOnly field narrows to reads (true) or writes (false);
            // without one, both are recorded. Other fields (an event source
            // excluded) narrow what is recorded: such a selector does not
            // record all management events.
            if s.fields
                .iter()
                .any(|f| f.field != "eventCategory" && f.field != "readOnly")
            {
                continue;
            }
            match s.fields.iter().find(|f| f.field == "readOnly") {
                None => (read, write) = (true, true),
                Some(f) if f.equals.iter().any(|v| v == "true") => read = true,
                Some(f) if f.equals.iter().any(|v| v == "false") => write = true,
                Some(_) => {}
            }
        }
        (read, write)
    }
}

impl ConfigRecorder {
    /// A recorder's node id: its name is unique only in its account and
    /// region.
    pub fn node_id(account: &str, region: &str, name: &str) -> String {
        format!("{account}/{region}/config-recorder/{name}")
    }
}

/// An AWS Config configuration recorder with its status.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConfigRecorder {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// recordingGroup.allSupported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_supported: Option<bool>,
    /// recordingGroup.includeGlobalResourceTypes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_global: Option<bool>,
    /// DescribeConfigurationRecorderStatus; `None` when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<bool>,
    /// `SUCCESS`, `FAILURE`, `PENDING`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<String>,
}

/// A VPC flow log.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FlowLog {
    /// The VPC, subnet or network interface it logs.
    pub resource_id: String,
    /// `ACTIVE` when it delivers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `ACCEPT`, `REJECT` or `ALL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
}

impl FlowLog {
    pub fn is_active(&self) -> bool {
        self.status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("active"))
    }
}
