//! The report's connectivity matrix: the pair list folded into cells of
//! ends (namespaces, outside ranges, the ingress controller, Gateways), each
//! with what its pairs allow, the grouped lines that state them and, within
//! a bound, the pairs themselves (the zoom into workloads).

use std::collections::{BTreeSet, HashMap};
use std::io;

use podnet_engine::groups::{GroupEnd, GroupLine, Term};
use podnet_engine::{FlowSource, PeerRef};
use podnet_model::{Cluster, Conns, NsId, WorkloadId};
use serde::Serialize;

use crate::connlist::{INGRESS_CONTROLLER, network_text};
use crate::wire::{ConnsJson, ranges};

/// At most this many pairs are embedded one by one (in cell order); the
/// cells past it keep their totals and grouped lines only.
pub const MAX_PAIRS: usize = 20_000;

/// A row and column of the matrix.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct EndJson {
    /// `namespace`, `outside`, `ingress_controller` or `gateway`.
    pub kind: &'static str,
    /// The namespace's name, the ranges, `[ingress-controller]` or
    /// `ns/name` of the Gateway.
    pub name: String,
}

/// A workload, or the one member of a pseudo-peer end.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct MemberJson {
    /// Index of its end.
    pub end: usize,
    /// The workload's name, or the end's name.
    pub name: String,
    /// The workload's kind; `null` for a pseudo-peer.
    pub kind: Option<String>,
    /// Its pods (0 for a pseudo-peer).
    pub pods: usize,
    /// How `podnet explain --from/--to` names it (`ns/Kind/name`,
    /// `ingress-controller`, `gateway:ns/name`, an address); `null` for
    /// outside ranges, which explain takes one address at a time.
    pub explain: Option<String>,
}

/// One cell: the pairs from one end to another on one network. In the
/// page it is an array, `[src, dst, network, pairs, possible, any_all,
/// conns, lines, flows]` (a dense cluster has tens of thousands).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellJson {
    /// The source end.
    pub src: usize,
    /// The destination end.
    pub dst: usize,
    /// Index into the networks.
    pub network: usize,
    /// Allowed pairs of members.
    pub pairs: usize,
    /// Pairs of members there are (a member's pair with itself left
    /// out): `pairs / possible` is how open the cell is.
    pub possible: usize,
    /// Whether some pair allows every connection.
    pub any_all: bool,
    /// The union of the pairs' connections: index into the conns.
    pub conns: usize,
    /// Indexes of the grouped lines that state pairs of this cell.
    pub lines: Vec<usize>,
    /// The pairs `[src member, dst member, index into conns]`; `null`
    /// past [`MAX_PAIRS`].
    pub flows: Option<Vec<[usize; 3]>>,
}

impl Serialize for CellJson {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (
            self.src,
            self.dst,
            self.network,
            self.pairs,
            self.possible,
            u8::from(self.any_all),
            self.conns,
            &self.lines,
            &self.flows,
        )
            .serialize(s)
    }
}

/// Connections as text and as CONNS.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ConnsEntry {
    /// As `connlist` prints them (`TCP 80,443`).
    pub text: String,
    /// CONNS of connlist-json.md.
    #[serde(flatten)]
    pub conns: ConnsJson,
}

/// The matrix part of the report.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct MatrixJson {
    /// Rows and columns, namespaces first (by name), then the peers in
    /// the order the pair list meets them.
    pub ends: Vec<EndJson>,
    /// Workloads with pods (by namespace, then name), then one member per
    /// pseudo-peer end.
    pub members: Vec<MemberJson>,
    /// Distinct connections of the cells and the embedded pairs.
    pub conns: Vec<ConnsEntry>,
    /// The networks seen (`default` first).
    pub networks: Vec<String>,
    /// Cells with at least one allowed pair.
    pub cells: Vec<CellJson>,
    /// Allowed pairs in all.
    pub pairs: usize,
    /// Pairs not embedded one by one (past [`MAX_PAIRS`]).
    pub pairs_left_out: usize,
    /// The workload of each member (`None` for a pseudo-peer); not in
    /// the page.
    #[serde(skip)]
    pub workloads: Vec<Option<WorkloadId>>,
}

/// Builds the matrix from the pair list and the grouped lines.
pub struct MatrixBuilder<'c> {
    cluster: &'c Cluster,
    json: MatrixJson,
    /// Member of each workload with pods.
    workload_member: HashMap<WorkloadId, usize>,
    /// End of each namespace.
    ns_end: Vec<Option<usize>>,
    /// Member (and end) of each pseudo-peer.
    peer_member: HashMap<PeerRef, usize>,
    /// Members per end.
    end_size: Vec<usize>,
    /// Cell by (src, dst, network).
    cell_index: HashMap<(usize, usize, usize), usize>,
    /// Union of the connections per cell.
    cell_conns: Vec<Conns>,
    conns_index: HashMap<String, usize>,
}

impl<'c> MatrixBuilder<'c> {
    /// Namespaces and workloads with pods of `cluster`.
    pub fn new(cluster: &'c Cluster) -> Self {
        let mut namespaces: Vec<(String, NsId)> = Vec::new();
        let mut by_ns: Vec<Vec<WorkloadId>> = vec![Vec::new(); cluster.namespaces.len()];
        for w in cluster.workload_ids() {
            let wl = cluster.workload(w);
            if !wl.pods.is_empty() {
                by_ns[wl.namespace.index()].push(w);
            }
        }
        for (i, list) in by_ns.iter().enumerate() {
            if !list.is_empty() {
                let id = NsId::from_index(i);
                namespaces.push((cluster.namespace(id).name.clone(), id));
            }
        }
        namespaces.sort();
        let mut b = MatrixBuilder {
            cluster,
            json: MatrixJson {
                ends: Vec::new(),
                members: Vec::new(),
                conns: Vec::new(),
                networks: Vec::new(),
                cells: Vec::new(),
                pairs: 0,
                pairs_left_out: 0,
                workloads: Vec::new(),
            },
            workload_member: HashMap::new(),
            ns_end: vec![None; cluster.namespaces.len()],
            peer_member: HashMap::new(),
            end_size: Vec::new(),
            cell_index: HashMap::new(),
            cell_conns: Vec::new(),
            conns_index: HashMap::new(),
        };
        for (name, id) in namespaces {
            let end = b.json.ends.len();
            b.json.ends.push(EndJson {
                kind: "namespace",
                name: name.clone(),
            });
            b.ns_end[id.index()] = Some(end);
            let mut list = by_ns[id.index()].clone();
            list.sort_by(|a, c| cluster.workload(*a).name.cmp(&cluster.workload(*c).name));
            b.end_size.push(list.len());
            for w in list {
                let wl = cluster.workload(w);
                b.workload_member.insert(w, b.json.members.len());
                b.json.workloads.push(Some(w));
                b.json.members.push(MemberJson {
                    end,
                    name: wl.name.clone(),
                    kind: Some(wl.kind.as_str().to_owned()),
                    pods: wl.pods.len(),
                    explain: Some(format!("{name}/{}/{}", wl.kind.as_str(), wl.name)),
                });
            }
        }
        b
    }

    /// The member of a connlist peer, adding an end for a new pseudo-peer.
    fn member(&mut self, peer: &PeerRef) -> usize {
        if let PeerRef::Workload(w) = peer
            && let Some(&m) = self.workload_member.get(w)
        {
            return m;
        }
        if let Some(&m) = self.peer_member.get(peer) {
            return m;
        }
        let (kind, name, explain) = match peer {
            PeerRef::Workload(w) => {
                // A workload without pods never has connections; kept
                // apart rather than dropped, should one ever appear.
                let wl = self.cluster.workload(*w);
                (
                    "workload",
                    self.cluster.workload_name(*w),
                    Some(wl.name.clone()),
                )
            }
            PeerRef::External(set) => ("outside", ranges(set).join(", "), None),
            PeerRef::IngressController => (
                "ingress_controller",
                INGRESS_CONTROLLER.to_owned(),
                Some("ingress-controller".to_owned()),
            ),
            PeerRef::Gateway { namespace, name } => (
                "gateway",
                format!("{namespace}/{name}"),
                Some(format!("gateway:{namespace}/{name}")),
            ),
        };
        let end = self.json.ends.len();
        self.json.ends.push(EndJson {
            kind,
            name: name.clone(),
        });
        self.end_size.push(1);
        let m = self.json.members.len();
        self.json.workloads.push(None);
        self.json.members.push(MemberJson {
            end,
            name,
            kind: None,
            pods: 0,
            explain,
        });
        self.peer_member.insert(peer.clone(), m);
        m
    }

    fn conns_id(&mut self, conns: &Conns) -> usize {
        let text = conns.to_string();
        if let Some(&i) = self.conns_index.get(&text) {
            return i;
        }
        let i = self.json.conns.len();
        self.json.conns.push(ConnsEntry {
            text: text.clone(),
            conns: ConnsJson::new(conns),
        });
        self.conns_index.insert(text, i);
        i
    }

    /// Folds the pair list in.
    pub fn add_flows(&mut self, source: &dyn FlowSource) -> io::Result<()> {
        source.for_each_batch(&mut |batch| {
            let name = network_text(batch.network).to_owned();
            let network = match self.json.networks.iter().position(|n| *n == name) {
                Some(i) => i,
                None => {
                    self.json.networks.push(name);
                    self.json.networks.len() - 1
                }
            };
            for f in batch.flows {
                let (s, d) = (self.member(&f.src), self.member(&f.dst));
                let (se, de) = (self.json.members[s].end, self.json.members[d].end);
                let conns = batch.table.get(f.conns);
                let key = (se, de, network);
                let cell = match self.cell_index.get(&key) {
                    Some(&c) => c,
                    None => {
                        let c = self.json.cells.len();
                        self.cell_index.insert(key, c);
                        self.json.cells.push(CellJson {
                            src: se,
                            dst: de,
                            network,
                            pairs: 0,
                            possible: 0,
                            any_all: false,
                            conns: 0,
                            lines: Vec::new(),
                            flows: Some(Vec::new()),
                        });
                        self.cell_conns.push(Conns::none());
                        c
                    }
                };
                self.json.pairs += 1;
                self.cell_conns[cell] = self.cell_conns[cell].union(conns);
                let within = self.json.pairs <= MAX_PAIRS;
                let id = within.then(|| self.conns_id(conns));
                let c = &mut self.json.cells[cell];
                c.pairs += 1;
                c.any_all |= conns.is_all();
                match (id, &mut c.flows) {
                    (Some(id), Some(list)) => list.push([s, d, id]),
                    _ => c.flows = None,
                }
            }
            Ok(())
        })
    }

    /// The ends a grouped line's end covers.
    fn line_ends(&mut self, end: &GroupEnd) -> BTreeSet<usize> {
        let cluster = self.cluster;
        let ns_end = |ns: &NsId| self_ns_end(&self.ns_end, *ns);
        match end {
            GroupEnd::Peer(p) => {
                let m = self.member(p);
                BTreeSet::from([self.json.members[m].end])
            }
            GroupEnd::Workloads(terms) => terms
                .iter()
                .flat_map(|t| -> Vec<Option<usize>> {
                    match t {
                        Term::Namespaces(list) => list.iter().map(ns_end).collect(),
                        Term::Pods { namespaces, .. } => namespaces.iter().map(ns_end).collect(),
                        Term::NamespaceSelector(sel) => cluster
                            .namespaces
                            .iter()
                            .enumerate()
                            .filter(|(_, n)| sel.matches(&n.labels))
                            .map(|(i, _)| ns_end(&NsId::from_index(i)))
                            .collect(),
                        Term::Workloads(list) => list
                            .iter()
                            .map(|w| ns_end(&cluster.workload(*w).namespace))
                            .collect(),
                    }
                })
                .flatten()
                .collect(),
        }
    }

    /// Attaches each grouped line to the cells it states pairs of, and
    /// finishes the cells.
    pub fn finish(mut self, lines: &[GroupLine]) -> MatrixJson {
        for (i, line) in lines.iter().enumerate() {
            let name = network_text(line.network.as_deref());
            let Some(network) = self.json.networks.iter().position(|n| n == name) else {
                continue;
            };
            let srcs = self.line_ends(&line.src);
            let dsts = self.line_ends(&line.dst);
            for &s in &srcs {
                for &d in &dsts {
                    if let Some(&c) = self.cell_index.get(&(s, d, network)) {
                        self.json.cells[c].lines.push(i);
                    }
                }
            }
        }
        let mut left_out = 0;
        let unions = std::mem::take(&mut self.cell_conns);
        for (i, conns) in unions.iter().enumerate() {
            let id = self.conns_id(conns);
            let c = &mut self.json.cells[i];
            let (a, b) = (self.end_size[c.src], self.end_size[c.dst]);
            c.possible = if c.src == c.dst {
                a * a.saturating_sub(1)
            } else {
                a * b
            };
            c.conns = id;
            if c.flows.is_none() {
                left_out += c.pairs;
            }
        }
        self.json.pairs_left_out = left_out;
        self.json
    }
}

fn self_ns_end(ns_end: &[Option<usize>], ns: NsId) -> Option<usize> {
    ns_end.get(ns.index()).copied().flatten()
}
