//! Publicly accessible databases, graded by whether the exposure analysis
//! finds the internet reaching them through their network interfaces.

use super::account::region_flag;
use crate::analysis::checks::{Check, Cis, Epic, internet};
use crate::analysis::exposure::Exposure;
use crate::analysis::finding::{Evidence, Finding, Remediation, Status};
use crate::graph::{Direction, Graph};
use crate::model::{EdgeKind, NodeData, Severity};

pub const RDS_PUBLIC: Check = Check {
    id: "rds.public",
    badge: Some("PUBLIC"),
    title: "Publicly accessible database",
    severity: Severity::High,
    epic: Epic::InfrastructureSecurity,
    cis: Cis::NONE,
    description: "an RDS DB instance with PubliclyAccessible set: it gets a public address, and only its security groups and network ACLs stand between it and the internet; critical when the exposure analysis finds a way in from anywhere",
};

pub fn findings(graph: &Graph, exposures: &[Exposure]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in graph.nodes() {
        let NodeData::DbInstance(db) = &n.data else {
            continue;
        };
        let name = n.display_name();
        let mut evidence = vec![Evidence::property(
            name,
            "PubliclyAccessible",
            db.publicly_accessible.to_string(),
        )];
        if !db.publicly_accessible {
            out.push(Finding::passed(
                &RDS_PUBLIC,
                (id, n),
                "not publicly accessible",
                evidence,
            ));
            continue;
        }
        let fix = Remediation::new(
            "Turn public accessibility off (the application reaches the database inside the VPC), and keep its security groups to the application's",
        )
        .with_command(format!(
            "aws rds modify-db-instance --db-instance-identifier {name} --no-publicly-accessible --apply-immediately{}",
            region_flag(n)
        ));
        let ways_in: Vec<&Exposure> = exposures.iter().filter(|e| e.node == id).collect();
        let interfaces = graph
            .neighbours(id, EdgeKind::InterfaceOf, Direction::Incoming)
            .count();
        let (severity, title) = match ways_in.iter().max_by_key(|e| internet::severity(e)) {
            Some(worst) => {
                evidence.extend(worst.path.iter().map(Evidence::from));
                let severity = if worst.world {
                    Severity::Critical
                } else {
                    Severity::High
                };
                (
                    severity,
                    format!(
                        "publicly accessible, and the internet reaches it: {}",
                        internet::title(graph, worst)
                    ),
                )
            }
            None if interfaces > 0 => {
                evidence.push(Evidence::property(
                    name,
                    "ways in from the internet",
                    format!("none through its {interfaces} network interface(s)"),
                ));
                (
                    Severity::Medium,
                    "publicly accessible, though its security groups and network ACLs keep the internet out today".to_string(),
                )
            }
            None => {
                evidence.push(Evidence::property(
                    name,
                    "network interfaces",
                    "not known (none collected, or several databases share its subnet and security groups): whether the internet reaches it is not known",
                ));
                (
                    RDS_PUBLIC.severity,
                    "publicly accessible; which network interface is its is not known, so neither is what reaches it".to_string(),
                )
            }
        };
        let mut f = Finding::on(&RDS_PUBLIC, Status::Fail, (id, n), title, evidence, fix);
        f.severity = severity;
        out.push(f);
    }
    out
}
