//! What moto does not show, or shows unlike AWS, through the real SDK
//! clients on aws-smithy-mocks: the credential report's root row, the
//! event selectors AWS gives a trail created without any, and a recorder
//! whose last delivery failed. Each answer goes through the collector, the
//! importer and the checks, as a live collection's would.

use std::time::Duration;

use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use chrono::TimeZone;
use skyhound::analysis::Analysis;
use skyhound::analysis::finding::{Finding, Status};
use skyhound::source::collect::{
    CollectOptions, credential_report_with_client, logging_with_clients, memory_account,
};
use skyhound::source::import::import_memory;
use skyhound::source::import::read::MemoryFolder;

const ACCOUNT: &str = "123456789012";

fn interceptor(rules: &[&Rule]) -> MockResponseInterceptor {
    let mut responses = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in rules {
        responses = responses.with_rule(rule);
    }
    responses
}

macro_rules! mocked_client {
    ($sdk:ident, $rules:expr) => {
        $sdk::Client::from_conf(
            $sdk::Config::builder()
                .with_test_defaults()
                .region($sdk::config::Region::new("us-east-1"))
                .retry_config(
                    $sdk::config::retry::RetryConfig::standard()
                        .with_max_attempts(2)
                        .with_initial_backoff(Duration::from_millis(1)),
                )
                .http_client(create_mock_http_client())
                .interceptor(interceptor($rules))
                .build(),
        )
    };
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// What was read, imported as one account and analysed.
fn analysed(
    region: Option<MemoryFolder>,
    global: Option<MemoryFolder>,
    gaps: Vec<skyhound::model::Gap>,
) -> Analysis {
    let account = memory_account(
        ACCOUNT.to_string(),
        region
            .map(|f| ("us-east-1".to_string(), std::sync::Arc::new(f)))
            .into_iter()
            .collect(),
        global.map(std::sync::Arc::new),
        "us-east-1",
    );
    let collected = chrono::Utc
        .with_ymd_and_hms(2026, 11, 20, 3, 0, 0)
        .single()
        .expect("time");
    let imported = import_memory(vec![account], gaps, "mocked".into(), collected);
    assert!(imported.problems.is_empty(), "{:?}", imported.problems);
    skyhound::analysis::analyse(&imported.graph)
}

fn result<'a>(a: &'a Analysis, check: &str) -> Vec<&'a Finding> {
    a.results().filter(|f| f.check == check).collect()
}

const REPORT: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::123456789012:root,2019-04-01T10:00:00+00:00,not_supported,2026-11-19T22:14:00+00:00,not_supported,not_supported,false,true,2019-04-02T09:00:00+00:00,2026-11-18T07:30:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
";

#[test]
fn the_credential_reports_root_row_is_polled_for_read_and_checked() {
    use aws_sdk_iam::operation::generate_credential_report::GenerateCredentialReportOutput;
    use aws_sdk_iam::operation::get_credential_report::GetCredentialReportOutput;
    use aws_sdk_iam::types::{ReportFormatType, ReportStateType};
    // IAM starts the report, then has it.
    let generate = mock!(aws_sdk_iam::Client::generate_credential_report)
        .sequence()
        .output(|| {
            GenerateCredentialReportOutput::builder()
                .state(ReportStateType::Started)
                .build()
        })
        .output(|| {
            GenerateCredentialReportOutput::builder()
                .state(ReportStateType::Complete)
                .build()
        })
        .build();
    let get = mock!(aws_sdk_iam::Client::get_credential_report).then_output(|| {
        GetCredentialReportOutput::builder()
            .content(aws_smithy_types::Blob::new(REPORT))
            .report_format(ReportFormatType::TextCsv)
            .generated_time(aws_smithy_types::DateTime::from_secs(1_795_230_000))
            .build()
    });
    let iam = mocked_client!(aws_sdk_iam, &[&generate, &get]);
    let (folder, gaps) = run(credential_report_with_client(
        &iam,
        ACCOUNT,
        &CollectOptions::default(),
    ));
    assert!(gaps.is_empty(), "{gaps:?}");
    assert_eq!(generate.num_calls(), 2, "asked until COMPLETE");
    assert_eq!(get.num_calls(), 1);

    let a = analysed(None, Some(folder), gaps);
    let keys = result(&a, "iam.root-access-keys");
    assert_eq!(keys.len(), 1, "{keys:#?}");
    assert_eq!(keys[0].status, Status::Fail);
    let mfa = result(&a, "iam.root-mfa");
    assert_eq!(mfa[0].status, Status::Fail);
    // Used the day before the report: recently, measured at the report's
    // time and not the wall clock.
    let used = result(&a, "iam.root-recently-used");
    assert_eq!(used[0].status, Status::Fail, "{:#?}", used[0]);
}

#[test]
fn a_denied_report_is_a_gap_and_the_root_checks_say_unknown_with_why() {
    use aws_sdk_iam::operation::generate_credential_report::GenerateCredentialReportError;
    let denied = mock!(aws_sdk_iam::Client::generate_credential_report).then_error(|| {
        GenerateCredentialReportError::generic(
            aws_smithy_types::error::ErrorMetadata::builder()
                .code("AccessDenied")
                .message("not authorized to perform iam:GenerateCredentialReport")
                .build(),
        )
    });
    let iam = mocked_client!(aws_sdk_iam, &[&denied]);
    let (folder, gaps) = run(credential_report_with_client(
        &iam,
        ACCOUNT,
        &CollectOptions::default(),
    ));
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].operation, "get-credential-report");
    assert!(
        gaps[0].reason.contains("AccessDenied"),
        "{}",
        gaps[0].reason
    );
    assert!(folder.responses.is_empty());
    let a = analysed(None, Some(folder), gaps);
    for check in [
        "iam.root-access-keys",
        "iam.root-mfa",
        "iam.root-recently-used",
    ] {
        let r = result(&a, check);
        assert_eq!(r.len(), 1, "{check}: {r:#?}");
        assert_eq!(r[0].status, Status::Unknown, "{check}: never a pass");
        assert!(
            r[0].evidence
                .iter()
                .any(|e| e.describe().contains("AccessDenied")),
            "{check}: {:#?}",
            r[0].evidence
        );
    }
}

#[test]
fn default_event_selectors_count_as_management_read_and_write_and_a_failed_recorder_fails() {
    use aws_sdk_cloudtrail::operation::describe_trails::DescribeTrailsOutput;
    use aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput;
    use aws_sdk_cloudtrail::operation::get_trail_status::GetTrailStatusOutput;
    use aws_sdk_cloudtrail::types::{EventSelector, ReadWriteType, Trail};
    use aws_sdk_config::operation::describe_configuration_recorder_status::DescribeConfigurationRecorderStatusOutput;
    use aws_sdk_config::operation::describe_configuration_recorders::DescribeConfigurationRecordersOutput;
    use aws_sdk_config::types::{
        ConfigurationRecorder, ConfigurationRecorderStatus, RecorderStatus, RecordingGroup,
    };

    let arn = format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/everything");
    let trail_arn = arn.clone();
    let trails = mock!(aws_sdk_cloudtrail::Client::describe_trails)
        .match_requests(|r| r.include_shadow_trails() == Some(true))
        .then_output(move || {
            DescribeTrailsOutput::builder()
                .trail_list(
                    Trail::builder()
                        .name("everything")
                        .trail_arn(&trail_arn)
                        .home_region("us-east-1")
                        .is_multi_region_trail(true)
                        .is_organization_trail(false)
                        .s3_bucket_name("trail-logs")
                        .log_file_validation_enabled(true)
                        .build(),
                )
                .build()
        });
    let status = mock!(aws_sdk_cloudtrail::Client::get_trail_status)
        .then_output(|| GetTrailStatusOutput::builder().is_logging(true).build());
    // What AWS answers for a trail created without selectors (moto answers
    // differently): one basic selector, all management events.
    let selector_arn = arn.clone();
    let selectors = mock!(aws_sdk_cloudtrail::Client::get_event_selectors).then_output(move || {
        GetEventSelectorsOutput::builder()
            .trail_arn(&selector_arn)
            .event_selectors(
                EventSelector::builder()
                    .read_write_type(ReadWriteType::All)
                    .include_management_events(true)
                    .build(),
            )
            .build()
    });
    let recorders =
        mock!(aws_sdk_config::Client::describe_configuration_recorders).then_output(|| {
            DescribeConfigurationRecordersOutput::builder()
                .configuration_recorders(
                    ConfigurationRecorder::builder()
                        .name("default")
                        .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/config"))
                        .recording_group(
                            RecordingGroup::builder()
                                .all_supported(true)
                                .include_global_resource_types(true)
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    // Recording, but its last delivery failed (its role lost access).
    let recorder_status = mock!(aws_sdk_config::Client::describe_configuration_recorder_status)
        .then_output(|| {
            DescribeConfigurationRecorderStatusOutput::builder()
                .configuration_recorders_status(
                    ConfigurationRecorderStatus::builder()
                        .name("default")
                        .recording(true)
                        .last_status(RecorderStatus::Failure)
                        .last_error_code("AccessDenied")
                        .build(),
                )
                .build()
        });
    let trail_client = mocked_client!(aws_sdk_cloudtrail, &[&trails, &status, &selectors]);
    let config_client = mocked_client!(aws_sdk_config, &[&recorders, &recorder_status]);
    let (folder, gaps) = run(logging_with_clients(
        &trail_client,
        &config_client,
        ACCOUNT,
        "us-east-1",
        &CollectOptions::default(),
    ));
    assert!(gaps.is_empty(), "{gaps:?}");
    assert_eq!(
        (
            trails.num_calls(),
            status.num_calls(),
            selectors.num_calls()
        ),
        (1, 1, 1)
    );

    let a = analysed(Some(folder), None, gaps);
    let trail = result(&a, "cloudtrail.multi-region");
    assert_eq!(trail.len(), 1, "{trail:#?}");
    assert_eq!(trail[0].status, Status::Pass, "{:#?}", trail[0]);
    let config: Vec<&Finding> = result(&a, "config.all-regions")
        .into_iter()
        .filter(|f| f.region.as_deref() == Some("us-east-1"))
        .collect();
    assert_eq!(config.len(), 1, "{config:#?}");
    assert_eq!(config[0].status, Status::Fail, "{:#?}", config[0]);
    assert!(
        config[0]
            .evidence
            .iter()
            .any(|e| e.describe().to_lowercase().contains("failure")),
        "{:#?}",
        config[0].evidence
    );
}

mod history {
    use super::*;
    use aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput;
    use aws_sdk_cloudtrail::types::Event;
    use skyhound::source::collect::history::{Lookup, Pace, history_with_client};

    fn event(name: &str, secs: i64, ip: &str) -> Event {
        let record = serde_json::json!({
            "eventName": name, "sourceIPAddress": ip,
            "requestParameters": {"groupId": "sg-0123456789abcdef0",
                                  "ipPermissions": {"items": [{"fromPort": 22, "toPort": 22}]}}
        });
        Event::builder()
            .event_name(name)
            .event_time(aws_smithy_types::DateTime::from_secs(secs))
            .username("mallory")
            .cloud_trail_event(record.to_string())
            .build()
    }

    fn fast(pages: usize) -> Pace {
        Pace {
            between: Duration::ZERO,
            pages,
        }
    }

    fn window() -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
        let end = chrono::Utc
            .with_ymd_and_hms(2026, 12, 4, 0, 0, 0)
            .single()
            .expect("time");
        (end - chrono::Duration::days(90), end)
    }

    #[test]
    fn every_page_is_read_with_who_from_where_and_the_request() {
        let lookup = mock!(aws_sdk_cloudtrail::Client::lookup_events)
            .sequence()
            .output(|| {
                LookupEventsOutput::builder()
                    .events(event(
                        "AuthorizeSecurityGroupIngress",
                        1_796_000_000,
                        "198.51.100.7",
                    ))
                    .next_token("page-2")
                    .build()
            })
            .output(|| {
                LookupEventsOutput::builder()
                    .events(event("CreateSecurityGroup", 1_795_000_000, "198.51.100.7"))
                    .build()
            })
            .build();
        let ct = mocked_client!(aws_sdk_cloudtrail, &[&lookup]);
        let (start, end) = window();
        let h = run(history_with_client(
            &ct,
            "us-east-1",
            &Lookup::of("sg-0123456789abcdef0"),
            start,
            end,
            fast(10),
        ));
        assert_eq!(lookup.num_calls(), 2, "both pages");
        assert!(h.gaps.is_empty() && !h.truncated, "{h:?}");
        let names: Vec<&str> = h.events.iter().map(|e| e.event.as_str()).collect();
        assert_eq!(
            names,
            ["AuthorizeSecurityGroupIngress", "CreateSecurityGroup"]
        );
        let first = &h.events[0];
        assert_eq!(first.user.as_deref(), Some("mallory"));
        assert_eq!(first.source_ip.as_deref(), Some("198.51.100.7"));
        assert_eq!(
            first.request.as_ref().and_then(|r| r["groupId"].as_str()),
            Some("sg-0123456789abcdef0")
        );
        assert_eq!(first.region, "us-east-1");
    }

    #[test]
    fn the_reading_stops_at_its_bound_and_says_so() {
        let lookup = mock!(aws_sdk_cloudtrail::Client::lookup_events).then_output(|| {
            LookupEventsOutput::builder()
                .events(event("DescribeInstances", 1_796_000_000, "203.0.113.1"))
                .next_token("more")
                .build()
        });
        let ct = mocked_client!(aws_sdk_cloudtrail, &[&lookup]);
        let (start, end) = window();
        let h = run(history_with_client(
            &ct,
            "us-east-1",
            &Lookup::of("AKIAIOSFODNN7EXAMPLE"),
            start,
            end,
            fast(3),
        ));
        assert_eq!(lookup.num_calls(), 3);
        assert!(h.truncated);
        assert_eq!(h.events.len(), 3);
    }

    #[test]
    fn a_refusal_is_a_gap_naming_the_call_and_the_region() {
        let lookup = mock!(aws_sdk_cloudtrail::Client::lookup_events).then_http_response(|| {
            aws_smithy_runtime_api::http::Response::new(
                aws_smithy_runtime_api::http::StatusCode::try_from(400).expect("status"),
                aws_smithy_types::body::SdkBody::from(
                    r#"{"__type":"AccessDeniedException","message":"User is not authorized to perform: cloudtrail:LookupEvents"}"#,
                ),
            )
        });
        let ct = mocked_client!(aws_sdk_cloudtrail, &[&lookup]);
        let (start, end) = window();
        let h = run(history_with_client(
            &ct,
            "eu-west-1",
            &Lookup::of("i-0123456789abcdef0"),
            start,
            end,
            fast(10),
        ));
        assert!(h.events.is_empty());
        let gap = h.gaps.first().expect("a gap");
        assert!(
            gap.contains("cloudtrail:LookupEvents in eu-west-1"),
            "{gap}"
        );
        assert!(gap.contains("AccessDenied"), "{gap}");
    }

    #[test]
    fn throttling_is_retried_and_the_pages_are_paced() {
        let lookup = mock!(aws_sdk_cloudtrail::Client::lookup_events)
            .sequence()
            .http_status(
                400,
                Some(r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.into()),
            )
            .output(|| {
                LookupEventsOutput::builder()
                    .events(event("StopLogging", 1_796_000_000, "198.51.100.9"))
                    .next_token("page-2")
                    .build()
            })
            .output(|| LookupEventsOutput::builder().build())
            .build();
        let ct = mocked_client!(aws_sdk_cloudtrail, &[&lookup]);
        let (start, end) = window();
        let started = std::time::Instant::now();
        let h = run(history_with_client(
            &ct,
            "us-east-1",
            &Lookup::of("arn:aws:cloudtrail:us-east-1:123456789012:trail/audit"),
            start,
            end,
            Pace {
                between: Duration::from_millis(50),
                pages: 10,
            },
        ));
        assert!(h.gaps.is_empty(), "{:?}", h.gaps);
        assert_eq!(h.events.len(), 1);
        assert_eq!(
            lookup.num_calls(),
            3,
            "the throttled request, its retry, the second page"
        );
        assert!(
            started.elapsed() >= Duration::from_millis(50),
            "waited before the second page"
        );
    }
}
