//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "skyhound",
    version,
    about = "A terminal explorer for AWS security: walk an organization's resources and see why something is exposed",
    long_about = None
)]
pub struct Cli {
    #[command(flatten)]
    pub input: Input,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where the data comes from; accepted before or after the subcommand.
#[derive(Debug, Clone, Args)]
pub struct Input {
    /// Open the built-in demo organization (no AWS account needed)
    #[arg(long, global = true, conflicts_with = "from")]
    pub demo: bool,

    /// Open a snapshot file, or a folder of AWS CLI / CloudMapper JSON
    #[arg(long, global = true, value_name = "PATH")]
    pub from: Option<PathBuf>,

    /// Region to collect (repeatable; default: every region enabled for the
    /// account), or the region of a flat folder of AWS JSON that does not say
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Vec<String>,

    /// AWS profile for live collection (default: the AWS CLI's credential chain)
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// Send AWS API calls here (also read from AWS_ENDPOINT_URL)
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Collect every account of the organization by assuming this role in each
    #[arg(long, global = true, value_name = "ROLE")]
    pub org_role: Option<String>,

    /// Collect the account of this role by assuming it (repeatable)
    #[arg(long, global = true, value_name = "ARN")]
    pub role_arn: Vec<String>,

    /// ExternalId to pass when assuming roles
    #[arg(long, global = true, value_name = "ID")]
    pub external_id: Option<String>,

    /// API calls in flight at once during live collection, over every
    /// account and region (and a quarter as many more, kept for the calls
    /// that others wait on)
    #[arg(long, global = true, default_value_t = 64)]
    pub concurrency: usize,

    /// Include archived GuardDuty findings
    #[arg(long, global = true)]
    pub archived_findings: bool,

    /// Explorer theme: dark, light, high-contrast, or a file in the config
    /// folder's themes/ (default: the config file's, else dark)
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
}

/// How `skyhound checks` writes its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChecksFormat {
    Text,
    Json,
    Ocsf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Counts by kind per account and region, and the collection gaps
    Summary {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// One resource with its properties and relationships
    Show {
        /// An id, an ARN or a name (Name tag, IAM or load balancer name)
        resource: String,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Every resource reachable from the internet, with the evidence
    Exposure {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
        /// Exit with code 3 when anything is exposed (for pipelines)
        #[arg(long)]
        fail_on_exposure: bool,
    },
    /// Why a resource can or cannot be reached from the internet, hop by hop
    Explain {
        /// An instance, network interface or load balancer: id, ARN or name
        resource: String,
        /// tcp, udp, icmp, icmpv6 or a protocol number
        #[arg(long, default_value = "tcp")]
        protocol: String,
        /// The port (the ICMP type for ICMP); without it, every port the
        /// resource's rules open is answered
        #[arg(long)]
        port: Option<u16>,
        /// One internet address to ask about, instead of any
        #[arg(long, value_name = "IP")]
        source: Option<std::net::IpAddr>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Whether an IAM user or role may make a request, and which statements
    /// decide it (identity, group, boundary and trust policies; unknown
    /// conditions make the answer conditional)
    Can {
        /// The user or role: ARN, name or id
        principal: String,
        /// The action, `service:Name` (`s3:GetObject`, `sts:AssumeRole`)
        action: String,
        /// The resource's ARN (default `*`); for sts:AssumeRole, the role's
        #[arg(default_value = "*")]
        resource: String,
        /// A condition key the request has (repeatable):
        /// `aws:MultiFactorAuthPresent=true`, `aws:SourceIp=203.0.113.7`
        #[arg(long, value_name = "KEY=VALUE")]
        context: Vec<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// What a user or role may do, service by service and access level
    /// (List, Read, Write, Permissions management, Tagging), each action
    /// with the resources and statements that allow it
    Permissions {
        /// The user or role: ARN, name or id
        principal: String,
        /// Only this service (its prefix: s3, iam, ec2)
        #[arg(long, value_name = "PREFIX")]
        service: Option<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Every user and role allowed, or allowed under conditions, to make a
    /// request, with the statements behind each
    WhoCan {
        /// The action, `service:Name`
        action: String,
        /// The resource's ARN (default `*`)
        #[arg(default_value = "*")]
        resource: String,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Whom each role trusts (same account, organization, external,
    /// public, service, federated), with ExternalId and MFA, and who can in
    /// fact assume it
    Trust {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Every user and role that is admin (every action on every resource),
    /// admin only under conditions, or can make itself admin in one step
    Admins {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Every user and role that is not admin but can become admin, as the
    /// shortest path of steps (access keys, roles assumed or passed to a
    /// service, commands on instances, policies written on oneself)
    Escalation {
        /// Only this user or role: ARN, name or id
        principal: Option<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// If this resource is compromised, what the attacker reaches from it:
    /// over the network (transitively), with its credentials (roles
    /// assumed, admin), and onto which data; each item with its evidence
    BlastRadius {
        /// An instance, network interface, load balancer, access key, user,
        /// role, or a GuardDuty finding (which starts from its resource):
        /// id, ARN or name
        resource: String,
        /// Network hops to follow: 1 is what the resource itself reaches
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=10))]
        depth: u16,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// What to do now about a compromised resource: the steps in order
    /// (keep the evidence, contain, investigate, recover), each with its
    /// AWS CLI command filled in; skyhound never runs them
    Respond {
        /// An instance (or its network interface), access key, user, role,
        /// S3 bucket, or a GuardDuty finding: id, ARN or name
        resource: String,
        /// Print JSON instead of text
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// Print Markdown, for a ticket
        #[arg(long)]
        markdown: bool,
    },
    /// Who changed a resource, and when: the management events of
    /// CloudTrail's event history naming it, newest first (live only; in
    /// the regions `--region` names, else the home region)
    History {
        /// A resource's id, ARN or name; an access key id (`AKIA…`) or a
        /// user's ARN looks up what that key or user did
        resource: String,
        /// How many days back (CloudTrail keeps 90)
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=90))]
        days: u32,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Every finding of every check (exposure, identity, posture), worst first, with
    /// its evidence and remediation
    Findings {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
        /// Only this check's findings (see `skyhound checks --list`)
        #[arg(long, value_name = "ID")]
        check: Option<String>,
        /// Only findings of this severity or worse: critical, high, medium, low
        #[arg(long, value_name = "SEVERITY")]
        severity: Option<String>,
        /// Exit with code 3 when a finding of this severity or worse remains
        #[arg(long, value_name = "SEVERITY")]
        fail_on: Option<String>,
    },
    /// Every check's results (pass, fail, unknown) by epic, then the
    /// failures with evidence and remediation; with --list, the registry
    Checks {
        /// List every check: id, CIS control, default severity, epic, what
        /// it looks for
        #[arg(long)]
        list: bool,
        /// Print JSON instead of text (same as --format json)
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// text, json, or ocsf (OCSF 1.1 Compliance Findings, one JSON
        /// array, as AWS Security Lake and SIEMs read them)
        #[arg(long, value_name = "FORMAT")]
        format: Option<ChecksFormat>,
        /// Only this check (repeatable; see `skyhound checks --list`)
        #[arg(long, value_name = "ID")]
        check: Vec<String>,
        /// Only this epic: identity, logging, infrastructure, data, incident
        #[arg(long, value_name = "NAME")]
        epic: Option<String>,
        /// Only results with this status: fail, pass, unknown
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
        /// Exit with code 3 when a failure of this severity or worse remains
        #[arg(long, value_name = "SEVERITY")]
        fail_on: Option<String>,
    },
    /// Collect from AWS (read-only) and write a snapshot; progress on stderr
    Collect {
        /// The snapshot file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write what was loaded as a snapshot file (mode 0600)
    Export {
        /// The snapshot file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Generate a synthetic organization (for benchmarks and trials)
    #[command(hide = true)]
    Synth {
        /// About how many resources to generate
        #[arg(long, default_value_t = 100_000)]
        resources: usize,
        /// Seed: the same seed gives the same organization
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write a snapshot here
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Write a CloudMapper account-data tree here
        #[arg(long, value_name = "DIR")]
        account_data: Option<PathBuf>,
    },
}
