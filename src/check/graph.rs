//! Graph checks with one shape: names to `NodeIndex`, strongly connected components, a cycle
//! reported as the full path of names, each with its span.
//!
//! Every walk here keeps its own stack: petgraph's `kosaraju_scc` and `toposort` are iterative
//! (its `tarjan_scc` recurses once per node and overflows a thread's stack on a chain of 100,000
//! groups), and nothing here recurses, so the depth of a chain costs memory, never the stack.

use petgraph::algo::{kosaraju_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::diag::{Code, Diagnostic};
use crate::span::Span;

/// A named node for cycle reports.
#[derive(Debug, Clone)]
pub struct Node {
    /// The name.
    pub name: String,
    /// Where the edge out of this node was written.
    pub span: Span,
}

/// How a cycle in one graph is reported: its code and the words before the path of names.
#[derive(Debug, Clone, Copy)]
pub struct CycleReport<'a> {
    /// The diagnostic code.
    pub code: Code,
    /// The message before the path: `team hierarchy has a cycle`, `a group includes itself`.
    pub message: &'a str,
}

/// Finds every cycle in a graph of `nodes` with `edges` (from, to), one diagnostic each.
pub fn cycles(nodes: &[Node], edges: &[(usize, usize)], report: CycleReport) -> Vec<Diagnostic> {
    let g = graph(nodes.len(), edges);
    let mut out = Vec::new();
    for scc in kosaraju_scc(&g) {
        let cyclic = scc.len() > 1 || scc.first().is_some_and(|&n| g.contains_edge(n, n));
        if !cyclic {
            continue;
        }
        let path = cycle_path(&g, &scc);
        let names: Vec<String> = path
            .iter()
            .map(|&n| format!("`{}`", nodes[g[n]].name))
            .collect();
        let Some(&first) = path.first() else { continue };
        let mut d = Diagnostic::error(
            report.code,
            format!("{}: {} -> {}", report.message, names.join(" -> "), names[0]),
            nodes[g[first]].span,
            "the cycle starts here",
        );
        for &n in path.iter().skip(1) {
            d = d.with_label(nodes[g[n]].span, format!("then `{}`", nodes[g[n]].name));
        }
        out.push(d.with_help("break the cycle: a name cannot be inside itself"));
    }
    out.sort_by_key(|d| (d.primary.span.file, d.primary.span.start));
    out
}

/// The nodes in dependency order, each after every node its edges point to; or, when the graph
/// has a cycle, every cycle as a diagnostic ([`cycles`]).
pub fn dependency_order(
    nodes: &[Node],
    edges: &[(usize, usize)],
    report: CycleReport,
) -> Result<Vec<usize>, Vec<Diagnostic>> {
    let g = graph(nodes.len(), edges);
    match toposort(&g, None) {
        Ok(order) => Ok(order.into_iter().rev().map(|n| g[n]).collect()),
        Err(_) => Err(cycles(nodes, edges, report)),
    }
}

/// The graph of `nodes` numbered nodes with `edges` (from, to); edges out of range are dropped.
fn graph(nodes: usize, edges: &[(usize, usize)]) -> DiGraph<usize, ()> {
    let mut g: DiGraph<usize, ()> = DiGraph::with_capacity(nodes, edges.len());
    let idx: Vec<NodeIndex> = (0..nodes).map(|i| g.add_node(i)).collect();
    for &(a, b) in edges {
        if let (Some(&x), Some(&y)) = (idx.get(a), idx.get(b)) {
            g.add_edge(x, y, ());
        }
    }
    g
}

/// A simple cycle through the strongly connected component, starting at its earliest node.
fn cycle_path(g: &DiGraph<usize, ()>, scc: &[NodeIndex]) -> Vec<NodeIndex> {
    let Some(&start) = scc.iter().min_by_key(|n| g[**n]) else {
        return Vec::new();
    };
    let mut inside = vec![false; g.node_count()];
    for n in scc {
        inside[n.index()] = true;
    }
    let mut on_path = vec![None; g.node_count()];
    let mut path = vec![start];
    on_path[start.index()] = Some(0);
    let mut cur = start;
    // INVARIANT: every node of a cyclic SCC has a successor inside it, so this walk always
    // returns to a node already on the path within scc.len() steps.
    for _ in 0..scc.len() {
        let Some(next) = g
            .neighbors(cur)
            .filter(|n| inside[n.index()])
            .min_by_key(|n| g[*n])
        else {
            break;
        };
        if let Some(pos) = on_path[next.index()] {
            return path.split_off(pos);
        }
        on_path[next.index()] = Some(path.len());
        path.push(next);
        cur = next;
    }
    path
}
