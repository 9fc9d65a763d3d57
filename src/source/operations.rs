//! Every AWS operation skyhound reads, written once: the service, the API
//! name, the file name the AWS CLI and CloudMapper give its output, whether
//! it is paginated and per item, and what the collector and importer do
//! with it. The collector's calls, the importer's file names, the read-only
//! guard, the account-data writer, the minimal IAM policy in `assets/` and
//! the README's table of files all come from this table.

/// An AWS service, with its names in each place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    Ec2,
    Elbv2,
    Iam,
    GuardDuty,
    Sts,
    Organizations,
    CloudTrail,
    Config,
    S3,
    S3Control,
    Kms,
    Rds,
}

impl Service {
    /// The prefix of its files and gaps: `elbv2-describe-listeners`.
    pub fn prefix(self) -> &'static str {
        match self {
            Service::Ec2 => "ec2",
            Service::Elbv2 => "elbv2",
            Service::Iam => "iam",
            Service::GuardDuty => "guardduty",
            Service::Sts => "sts",
            Service::Organizations => "organizations",
            Service::CloudTrail => "cloudtrail",
            Service::Config => "config",
            Service::S3 => "s3",
            Service::S3Control => "s3control",
            Service::Kms => "kms",
            Service::Rds => "rds",
        }
    }

    /// Its prefix in IAM actions: `elasticloadbalancing:DescribeListeners`.
    pub fn iam_prefix(self) -> &'static str {
        match self {
            Service::Elbv2 => "elasticloadbalancing",
            Service::S3Control => "s3",
            s => s.prefix(),
        }
    }

    /// The SDK's service name, as the read-only guard sees it.
    pub fn sdk_name(self) -> &'static str {
        match self {
            Service::Elbv2 => "elasticloadbalancingv2",
            s => s.prefix(),
        }
    }
}

/// Where an operation's answer lives in an account-data tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once per region.
    Regional,
    /// Once per account, in its default region's folder (IAM, STS,
    /// Organizations).
    Global,
}

/// What the importer does when an operation's file is absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent {
    /// A gap: the operation was not collected.
    Gap,
    /// Nothing: the file is optional, or its absence is judged elsewhere.
    Quiet,
    /// The importer does not read this operation (the collector calls it
    /// to find what to read).
    NotRead,
}

/// One AWS operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    pub service: Service,
    /// The API's name: `DescribeVpcs`.
    pub api: &'static str,
    /// The AWS CLI's name: `describe-vpcs`.
    pub cli: &'static str,
    pub scope: Scope,
    /// The collector pages through it to the end.
    pub paginated: bool,
    /// Called once per item, its files named after this parameter
    /// (`<operation>/<item>`), such as a prefix list's id.
    pub per_item: Option<&'static str>,
    /// The answer's list field, written empty when nothing was found.
    pub list_field: Option<&'static str>,
    pub absent: Absent,
    /// Others wait on its answer: it gets one of the permits kept for them.
    pub leads_chain: bool,
    /// Asked once for every item of a long list (each bucket, each key):
    /// these come from a pool of their own, four times the concurrency, so
    /// two hundred buckets do not queue behind each other.
    pub fan_out: bool,
    /// The collector calls it (some files are only ever imported).
    pub collected: bool,
    /// The IAM action's name where it is not the API's
    /// (`ListAllMyBuckets` for ListBuckets).
    pub iam_action: Option<&'static str>,
}

impl Operation {
    /// The file name without `.json`: `ec2-describe-vpcs`.
    pub fn file(&self) -> String {
        format!("{}-{}", self.service.prefix(), self.cli)
    }

    /// The IAM action that allows it: `ec2:DescribeVpcs`.
    pub fn action(&self) -> String {
        format!(
            "{}:{}",
            self.service.iam_prefix(),
            self.iam_action.unwrap_or(self.api)
        )
    }
}

macro_rules! operations {
    ($( $(#[$doc:meta])* $name:ident = $service:ident $api:literal $cli:literal $scope:ident
        { $($field:ident: $value:expr),* $(,)? } ; )*) => {
        $(
            $(#[$doc])*
            pub const $name: Operation = Operation {
                service: Service::$service,
                api: $api,
                cli: $cli,
                scope: Scope::$scope,
                $($field: $value,)*
                ..DEFAULTS
            };
        )*

        /// Every operation, in the order the README lists them.
        pub const ALL: &[&Operation] = &[$(&$name,)*];
    };
}

/// What an operation is unless its entry says otherwise.
const DEFAULTS: Operation = Operation {
    service: Service::Ec2,
    api: "",
    cli: "",
    scope: Scope::Regional,
    paginated: false,
    per_item: None,
    list_field: None,
    absent: Absent::Gap,
    leads_chain: false,
    fan_out: false,
    collected: true,
    iam_action: None,
};

operations! {
    DESCRIBE_REGIONS = Ec2 "DescribeRegions" "describe-regions" Regional
        { absent: Absent::NotRead, leads_chain: true };
    DESCRIBE_VPCS = Ec2 "DescribeVpcs" "describe-vpcs" Regional
        { paginated: true, list_field: Some("Vpcs") };
    DESCRIBE_SUBNETS = Ec2 "DescribeSubnets" "describe-subnets" Regional
        { paginated: true, list_field: Some("Subnets") };
    DESCRIBE_ROUTE_TABLES = Ec2 "DescribeRouteTables" "describe-route-tables" Regional
        { paginated: true, list_field: Some("RouteTables") };
    DESCRIBE_INTERNET_GATEWAYS = Ec2 "DescribeInternetGateways" "describe-internet-gateways" Regional
        { paginated: true, list_field: Some("InternetGateways") };
    DESCRIBE_EGRESS_ONLY_INTERNET_GATEWAYS = Ec2 "DescribeEgressOnlyInternetGateways" "describe-egress-only-internet-gateways" Regional
        { paginated: true, list_field: Some("EgressOnlyInternetGateways") };
    DESCRIBE_NAT_GATEWAYS = Ec2 "DescribeNatGateways" "describe-nat-gateways" Regional
        { paginated: true, list_field: Some("NatGateways") };
    DESCRIBE_NETWORK_ACLS = Ec2 "DescribeNetworkAcls" "describe-network-acls" Regional
        { paginated: true, list_field: Some("NetworkAcls") };
    DESCRIBE_SECURITY_GROUPS = Ec2 "DescribeSecurityGroups" "describe-security-groups" Regional
        { paginated: true, list_field: Some("SecurityGroups") };
    DESCRIBE_NETWORK_INTERFACES = Ec2 "DescribeNetworkInterfaces" "describe-network-interfaces" Regional
        { paginated: true, list_field: Some("NetworkInterfaces") };
    DESCRIBE_INSTANCES = Ec2 "DescribeInstances" "describe-instances" Regional
        { paginated: true, list_field: Some("Reservations") };
    DESCRIBE_ADDRESSES = Ec2 "DescribeAddresses" "describe-addresses" Regional
        { list_field: Some("Addresses") };
    DESCRIBE_VPC_PEERING_CONNECTIONS = Ec2 "DescribeVpcPeeringConnections" "describe-vpc-peering-connections" Regional
        { paginated: true, list_field: Some("VpcPeeringConnections") };
    DESCRIBE_MANAGED_PREFIX_LISTS = Ec2 "DescribeManagedPrefixLists" "describe-managed-prefix-lists" Regional
        { paginated: true, list_field: Some("PrefixLists"), leads_chain: true };
    GET_MANAGED_PREFIX_LIST_ENTRIES = Ec2 "GetManagedPrefixListEntries" "get-managed-prefix-list-entries" Regional
        { paginated: true, per_item: Some("pl-id"), absent: Absent::Quiet };
    DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS = Ec2 "DescribeTransitGatewayAttachments" "describe-transit-gateway-attachments" Regional
        { paginated: true, list_field: Some("TransitGatewayAttachments"), absent: Absent::Quiet };
    /// CloudMapper's older name for the same answer; read, never called.
    DESCRIBE_TRANSIT_GATEWAY_VPC_ATTACHMENTS = Ec2 "DescribeTransitGatewayVpcAttachments" "describe-transit-gateway-vpc-attachments" Regional
        { absent: Absent::Quiet, collected: false };
    DESCRIBE_VOLUMES = Ec2 "DescribeVolumes" "describe-volumes" Regional
        { paginated: true, list_field: Some("Volumes") };
    DESCRIBE_FLOW_LOGS = Ec2 "DescribeFlowLogs" "describe-flow-logs" Regional
        { paginated: true, list_field: Some("FlowLogs") };
    GET_EBS_ENCRYPTION_BY_DEFAULT = Ec2 "GetEbsEncryptionByDefault" "get-ebs-encryption-by-default" Regional {};
    DESCRIBE_LOAD_BALANCERS = Elbv2 "DescribeLoadBalancers" "describe-load-balancers" Regional
        { paginated: true, list_field: Some("LoadBalancers"), leads_chain: true };
    DESCRIBE_LISTENERS = Elbv2 "DescribeListeners" "describe-listeners" Regional
        { paginated: true, per_item: Some("lb-arn"), absent: Absent::Quiet };
    DESCRIBE_TARGET_GROUPS = Elbv2 "DescribeTargetGroups" "describe-target-groups" Regional
        { paginated: true, list_field: Some("TargetGroups"), absent: Absent::Quiet, leads_chain: true };
    DESCRIBE_TARGET_HEALTH = Elbv2 "DescribeTargetHealth" "describe-target-health" Regional
        { per_item: Some("tg-arn"), absent: Absent::Quiet };
    LIST_DETECTORS = GuardDuty "ListDetectors" "list-detectors" Regional
        { paginated: true, list_field: Some("DetectorIds"), leads_chain: true };
    GET_DETECTOR = GuardDuty "GetDetector" "get-detector" Regional
        { per_item: Some("id"), absent: Absent::Quiet };
    LIST_FINDINGS = GuardDuty "ListFindings" "list-findings" Regional
        { paginated: true, absent: Absent::NotRead, leads_chain: true };
    GET_FINDINGS = GuardDuty "GetFindings" "get-findings" Regional
        { per_item: Some("detector-id"), absent: Absent::Quiet };
    GET_ACCOUNT_AUTHORIZATION_DETAILS = Iam "GetAccountAuthorizationDetails" "get-account-authorization-details" Global
        { paginated: true };
    GET_ACCOUNT_PASSWORD_POLICY = Iam "GetAccountPasswordPolicy" "get-account-password-policy" Global {};
    GET_ACCOUNT_SUMMARY = Iam "GetAccountSummary" "get-account-summary" Global {};
    GENERATE_CREDENTIAL_REPORT = Iam "GenerateCredentialReport" "generate-credential-report" Global
        { absent: Absent::NotRead };
    GET_CREDENTIAL_REPORT = Iam "GetCredentialReport" "get-credential-report" Global
        { leads_chain: true };
    LIST_ACCOUNT_ALIASES = Iam "ListAccountAliases" "list-account-aliases" Global
        { absent: Absent::Quiet };
    /// Which users' MFA devices are virtual (the root user's should not be).
    LIST_VIRTUAL_MFA_DEVICES = Iam "ListVirtualMFADevices" "list-virtual-mfa-devices" Global
        { paginated: true, list_field: Some("VirtualMFADevices") };
    /// Access keys per user, as older dumps have them; the credential
    /// report carries the same.
    LIST_ACCESS_KEYS = Iam "ListAccessKeys" "list-access-keys" Global
        { per_item: Some("user"), absent: Absent::Quiet, collected: false };
    GET_ACCESS_KEY_LAST_USED = Iam "GetAccessKeyLastUsed" "get-access-key-last-used" Global
        { per_item: Some("key-id"), absent: Absent::Quiet, collected: false };
    /// Trails, shadow trails included (an organization trail shows in
    /// member accounts); status and selectors are asked in each trail's
    /// home region.
    DESCRIBE_TRAILS = CloudTrail "DescribeTrails" "describe-trails" Regional
        { list_field: Some("trailList"), leads_chain: true };
    GET_TRAIL_STATUS = CloudTrail "GetTrailStatus" "get-trail-status" Regional
        { per_item: Some("name"), absent: Absent::Quiet };
    GET_EVENT_SELECTORS = CloudTrail "GetEventSelectors" "get-event-selectors" Regional
        { per_item: Some("trail-name"), absent: Absent::Quiet };
    /// Who changed a resource (`skyhound history`): read live on demand,
    /// never collected into a snapshot.
    LOOKUP_EVENTS = CloudTrail "LookupEvents" "lookup-events" Regional
        { paginated: true, absent: Absent::NotRead };
    DESCRIBE_CONFIGURATION_RECORDERS = Config "DescribeConfigurationRecorders" "describe-configuration-recorders" Regional
        { list_field: Some("ConfigurationRecorders") };
    DESCRIBE_CONFIGURATION_RECORDER_STATUS = Config "DescribeConfigurationRecorderStatus" "describe-configuration-recorder-status" Regional
        { list_field: Some("ConfigurationRecordersStatus") };
    LIST_KEYS = Kms "ListKeys" "list-keys" Regional
        { paginated: true, list_field: Some("Keys"), leads_chain: true };
    DESCRIBE_KEY = Kms "DescribeKey" "describe-key" Regional
        { per_item: Some("key-id"), absent: Absent::Quiet, fan_out: true };
    GET_KEY_ROTATION_STATUS = Kms "GetKeyRotationStatus" "get-key-rotation-status" Regional
        { per_item: Some("key-id"), absent: Absent::Quiet, fan_out: true };
    /// The key policy (its only name is `default`): who may use the key.
    GET_KEY_POLICY = Kms "GetKeyPolicy" "get-key-policy" Regional
        { per_item: Some("key-id"), absent: Absent::Quiet, fan_out: true };
    LIST_ALIASES = Kms "ListAliases" "list-aliases" Regional
        { paginated: true, list_field: Some("Aliases"), absent: Absent::Quiet };
    DESCRIBE_DB_INSTANCES = Rds "DescribeDBInstances" "describe-db-instances" Regional
        { paginated: true, list_field: Some("DBInstances") };
    /// S3 is read once per account, in its us-east-1 folder, whatever
    /// each bucket's region (as CloudMapper writes it); each bucket's
    /// settings are asked in its own region.
    LIST_BUCKETS = S3 "ListBuckets" "list-buckets" Global
        { list_field: Some("Buckets"), leads_chain: true, iam_action: Some("ListAllMyBuckets") };
    GET_BUCKET_LOCATION = S3 "GetBucketLocation" "get-bucket-location" Global
        { per_item: Some("bucket"), absent: Absent::Quiet, leads_chain: true, fan_out: true };
    GET_BUCKET_POLICY = S3 "GetBucketPolicy" "get-bucket-policy" Global
        { per_item: Some("bucket"), absent: Absent::Quiet, fan_out: true };
    GET_BUCKET_POLICY_STATUS = S3 "GetBucketPolicyStatus" "get-bucket-policy-status" Global
        { per_item: Some("bucket"), absent: Absent::Quiet, fan_out: true };
    GET_BUCKET_ACL = S3 "GetBucketAcl" "get-bucket-acl" Global
        { per_item: Some("bucket"), absent: Absent::Quiet, fan_out: true };
    GET_PUBLIC_ACCESS_BLOCK = S3 "GetPublicAccessBlock" "get-public-access-block" Global
        { per_item: Some("bucket"), absent: Absent::Quiet, iam_action: Some("GetBucketPublicAccessBlock"), fan_out: true };
    GET_BUCKET_ENCRYPTION = S3 "GetBucketEncryption" "get-bucket-encryption" Global
        { per_item: Some("bucket"), absent: Absent::Quiet, iam_action: Some("GetEncryptionConfiguration"), fan_out: true };
    GET_BUCKET_LOGGING = S3 "GetBucketLogging" "get-bucket-logging" Global
        { per_item: Some("bucket"), absent: Absent::Quiet, fan_out: true };
    GET_BUCKET_VERSIONING = S3 "GetBucketVersioning" "get-bucket-versioning" Global
        { per_item: Some("bucket"), absent: Absent::Quiet, fan_out: true };
    GET_ACCOUNT_PUBLIC_ACCESS_BLOCK = S3Control "GetPublicAccessBlock" "get-public-access-block" Global
        { iam_action: Some("GetAccountPublicAccessBlock") };
    GET_CALLER_IDENTITY = Sts "GetCallerIdentity" "get-caller-identity" Global
        { absent: Absent::Quiet };
    LIST_ACCOUNTS = Organizations "ListAccounts" "list-accounts" Global
        { paginated: true, absent: Absent::Quiet };
    DESCRIBE_ORGANIZATION = Organizations "DescribeOrganization" "describe-organization" Global
        { absent: Absent::Quiet };
    LIST_ROOTS = Organizations "ListRoots" "list-roots" Global
        { paginated: true, list_field: Some("Roots"), absent: Absent::Quiet, leads_chain: true };
    LIST_ORGANIZATIONAL_UNITS_FOR_PARENT = Organizations "ListOrganizationalUnitsForParent" "list-organizational-units-for-parent" Global
        { paginated: true, per_item: Some("parent-id"), absent: Absent::Quiet, leads_chain: true };
    LIST_ACCOUNTS_FOR_PARENT = Organizations "ListAccountsForParent" "list-accounts-for-parent" Global
        { paginated: true, per_item: Some("parent-id"), absent: Absent::Quiet };
    /// With `--filter SERVICE_CONTROL_POLICY`.
    LIST_POLICIES = Organizations "ListPolicies" "list-policies" Global
        { paginated: true, list_field: Some("Policies"), absent: Absent::Quiet, leads_chain: true };
    DESCRIBE_POLICY = Organizations "DescribePolicy" "describe-policy" Global
        { per_item: Some("policy-id"), absent: Absent::Quiet };
    LIST_TARGETS_FOR_POLICY = Organizations "ListTargetsForPolicy" "list-targets-for-policy" Global
        { paginated: true, per_item: Some("policy-id"), absent: Absent::Quiet };
}

/// The operation with this file name (`ec2-describe-vpcs`).
pub fn by_file(name: &str) -> Option<&'static Operation> {
    ALL.iter().copied().find(|o| {
        name.strip_prefix(o.service.prefix())
            .and_then(|r| r.strip_prefix('-'))
            == Some(o.cli)
    })
}

/// The README's table of the files the importer reads, by service.
pub fn readme_table() -> String {
    let mut out = String::from("| service | files |\n| --- | --- |\n");
    let mut services: Vec<Service> = ALL.iter().map(|o| o.service).collect();
    services.dedup();
    for s in services {
        let files: Vec<String> = ALL
            .iter()
            .filter(|o| o.service == s && o.absent != Absent::NotRead)
            .map(|o| match o.per_item {
                Some(item) => format!("`{}/<{item}>`", o.cli),
                None => format!("`{}`", o.cli),
            })
            .collect();
        out.push_str(&format!("| {} | {} |\n", s.prefix(), files.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_well_formed() {
        let mut files: Vec<String> = ALL.iter().map(|o| o.file()).collect();
        files.sort();
        files.dedup();
        assert_eq!(files.len(), ALL.len());
        for o in ALL {
            assert!(o.api.chars().next().is_some_and(char::is_uppercase));
            let words: String = o
                .cli
                .split('-')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().chain(c).collect::<String>())
                        .unwrap_or_default()
                })
                .collect();
            assert!(
                words.eq_ignore_ascii_case(o.api),
                "{} is the CLI name of {}",
                o.cli,
                o.api
            );
            assert_eq!(by_file(&o.file()), Some(*o), "file names are unique");
        }
    }

    #[test]
    fn the_readme_lists_every_file_the_importer_reads() {
        let readme = include_str!("../../README.md");
        assert!(
            readme.contains(&readme_table()),
            "README's table of files differs from the operation table; it should read:\n{}",
            readme_table()
        );
    }
}
