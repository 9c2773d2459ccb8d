//! Cluster-scoped admin policies for a generated cluster: AdminNetworkPolicies
//! of four shapes cycled through (group isolation passing the own group to
//! NetworkPolicy, monitoring scrapes allowed to databases, the cloud
//! metadata address denied, staging kept away from production), each with
//! its own priority, and the BaselineAdminNetworkPolicy `default`.

use std::fmt::Write;

use crate::File;

/// `count` ANPs and the BANP, for a cluster of `teams` team namespaces.
pub(crate) fn admin_policies(count: u32, teams: u32) -> File {
    let mut text = String::from("# Generated admin policies.\n");
    for i in 0..count {
        let group = i % 10;
        let team = format!("team-{:04}", i % teams.max(1));
        let _ = write!(
            text,
            "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: anp-{i:03}\nspec:\n  priority: {}\n",
            i + 1
        );
        let body = match i % 4 {
            0 => format!(
                "  subject:\n    namespaces:\n      matchLabels: {{group: g{group}}}\n  ingress:\n  - name: own-group\n    action: Pass\n    from:\n    - namespaces:\n        matchLabels: {{group: g{group}}}\n  - name: other-groups\n    action: Deny\n    from:\n    - namespaces:\n        matchExpressions:\n        - {{key: group, operator: Exists}}\n"
            ),
            1 => format!(
                "  subject:\n    pods:\n      namespaceSelector:\n        matchLabels: {{team: {team}}}\n      podSelector:\n        matchLabels: {{tier: db}}\n  ingress:\n  - name: scrape\n    action: Allow\n    from:\n    - namespaces:\n        matchLabels: {{kubernetes.io/metadata.name: monitoring}}\n    ports:\n    - namedPort: metrics\n"
            ),
            2 => format!(
                "  subject:\n    namespaces:\n      matchLabels: {{team: {team}}}\n  egress:\n  - name: no-cloud-metadata\n    action: Deny\n    to:\n    - networks: [169.254.169.254/32]\n  - name: partners-to-networkpolicy\n    action: Pass\n    to:\n    - networks: [203.0.0.0/16]\n    ports:\n    - portRange: {{protocol: TCP, start: 8000, end: 8999}}\n"
            ),
            _ => "  subject:\n    namespaces:\n      matchLabels: {env: staging}\n  egress:\n  - name: staging-not-to-prod\n    action: Deny\n    to:\n    - namespaces:\n        matchLabels: {env: prod}\n".to_owned(),
        };
        text.push_str(&body);
    }
    text.push_str("---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata:\n  name: default\nspec:\n  subject:\n    namespaces:\n      matchExpressions:\n      - {key: team, operator: Exists}\n  ingress:\n  - name: deny-other-teams\n    action: Deny\n    from:\n    - namespaces:\n        matchExpressions:\n        - {key: team, operator: Exists}\n");
    File {
        name: "admin.yaml".to_owned(),
        text,
    }
}
