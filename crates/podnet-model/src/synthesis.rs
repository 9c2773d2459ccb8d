//! Adding what a running cluster has but the manifests do not declare (the
//! ingress controller's namespace and pods) while keeping the arenas'
//! invariants: namespaces sorted by name (so every stored [`NsId`] after the
//! insertion point moves up by one) and pods grouped by workload.

use crate::cluster::{Cluster, ContainerPort, Namespace, Pod, Workload};
use crate::ids::{LabelSetId, NsId, PodId, PortTableId, WorkloadId};
use crate::labels::Labels;

impl Cluster {
    /// The id of namespace `name`, inserting it (with `labels`) in name order
    /// when absent and renumbering every object that names a later
    /// namespace.
    pub fn ensure_namespace(&mut self, name: &str, labels: Labels) -> NsId {
        let at = match self
            .namespaces
            .binary_search_by(|n| n.name.as_str().cmp(name))
        {
            Ok(i) => return NsId::from_index(i),
            Err(i) => i,
        };
        self.namespaces.insert(
            at,
            Namespace {
                name: name.to_owned(),
                labels,
                declared: None,
            },
        );
        let shift = |id: &mut NsId| {
            if id.index() >= at {
                *id = NsId::from_index(id.index() + 1);
            }
        };
        self.workloads
            .iter_mut()
            .for_each(|w| shift(&mut w.namespace));
        self.pods.iter_mut().for_each(|p| shift(&mut p.namespace));
        self.policies
            .iter_mut()
            .for_each(|p| shift(&mut p.namespace));
        self.services
            .iter_mut()
            .for_each(|s| shift(&mut s.namespace));
        self.exposures
            .iter_mut()
            .for_each(|e| shift(&mut e.namespace));
        NsId::from_index(at)
    }

    /// Appends a workload with `pods` (given without their `workload`,
    /// which is set here), after every declared one.
    pub fn push_workload(&mut self, mut workload: Workload, pods: Vec<Pod>) -> WorkloadId {
        let id = WorkloadId::from_index(self.workloads.len());
        workload.pods.clear();
        for mut pod in pods {
            pod.workload = id;
            workload.pods.push(PodId::from_index(self.pods.len()));
            self.pods.push(pod);
        }
        self.workloads.push(workload);
        id
    }

    /// The id of a label set, interning it.
    pub fn intern_labels(&mut self, labels: Labels) -> LabelSetId {
        match self.label_sets.iter().position(|l| *l == labels) {
            Some(i) => LabelSetId::from_index(i),
            None => {
                self.label_sets.push(labels);
                LabelSetId::from_index(self.label_sets.len() - 1)
            }
        }
    }

    /// The id of a port table, interning it.
    pub fn intern_ports(&mut self, ports: Vec<ContainerPort>) -> PortTableId {
        match self.port_tables.iter().position(|t| *t == ports) {
            Some(i) => PortTableId::from_index(i),
            None => {
                self.port_tables.push(ports);
                PortTableId::from_index(self.port_tables.len() - 1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::WorkloadKind;

    fn ns(name: &str) -> Namespace {
        Namespace {
            name: name.to_owned(),
            labels: Labels::default(),
            declared: None,
        }
    }

    #[test]
    fn inserting_a_namespace_renumbers_later_ones() {
        let mut c = Cluster {
            namespaces: vec![ns("a"), ns("c")],
            workloads: vec![Workload {
                kind: WorkloadKind::Pod,
                namespace: NsId::from_index(1),
                name: "w".into(),
                source: None,
                pods: vec![],
                replicas: None,
            }],
            ..Cluster::default()
        };
        let b = c.ensure_namespace("b", Labels::default());
        assert_eq!(b.index(), 1);
        assert_eq!(c.namespace(c.workloads[0].namespace).name, "c");
        assert_eq!(c.namespace_by_name("b"), Some(b));
        assert_eq!(c.ensure_namespace("a", Labels::default()).index(), 0);
        assert_eq!(c.namespaces.len(), 3);
    }
}
