//! Categories and the unrestricted block: their rules (shared rules inlined where `use` puts
//! them, [`super::shared`]), views, temporary access, contacts, approvals and review, each
//! statement given at most once.

use std::collections::HashMap;

use super::approvals::Boards;
use super::disclosure::disclosure;
use super::lasts::Limited;
use super::names::SymbolKind;
use super::resolve::Resolver;
use super::shared::Shared;
use super::subjects::{Context, describe_subjects};
use super::values;
use crate::diag::{Code, Diagnostic};
use crate::policy::*;
use crate::span::Span;
use crate::syntax::ast;

impl Resolver {
    pub(super) fn actions(&mut self, names: &[ast::Ident], p: &Policy) -> Option<ActionSet> {
        let mut set = ActionSet::default();
        let mut ok = true;
        let mut seen: Vec<&str> = Vec::new();
        for n in names {
            if seen.contains(&n.name.as_str()) {
                self.report(
                    Diagnostic::warning(
                        Code::EmptyActions,
                        format!("action `{}` is named twice", n.name),
                        n.span,
                        "named again",
                    )
                    .with_help("remove the repeat"),
                );
            }
            seen.push(&n.name);
            if n.name == "all" {
                for i in 0..p.actions.len().min(MAX_ACTIONS) {
                    set.insert(i as ActionId);
                }
                continue;
            }
            match self.resolve(n, &[SymbolKind::Action], "an action") {
                Some(s) => set.insert(s.index),
                None => ok = false,
            }
        }
        ok.then_some(set)
    }

    /// The sections a `protects` statement, or the kinds of link a `reaches` statement, names,
    /// each once.
    fn each_once(&mut self, names: &[ast::Ident], kind: SymbolKind) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for (i, n) in names.iter().enumerate() {
            if let Some(first) = names[..i].iter().find(|m| m.name == n.name) {
                self.report(
                    Diagnostic::error(
                        Code::Repeated,
                        format!("{} `{}` is named twice", kind.word(), n.name),
                        n.span,
                        "named again",
                    )
                    .with_label(first.span, "first named here")
                    .with_help("remove the repeat"),
                );
                continue;
            }
            if let Some(s) = self.resolve(n, &[kind], kind.with_article()) {
                out.push(s.index);
            }
        }
        out
    }

    pub(super) fn obligations(&mut self, names: &[ast::Ident]) -> Vec<ObligationId> {
        names
            .iter()
            .filter_map(|n| {
                self.resolve(n, &[SymbolKind::Obligation], "an obligation")
                    .map(|s| s.index)
            })
            .collect()
    }

    pub(super) fn category(
        &mut self,
        kind: CategoryKind,
        (name, name_span): (&str, Span),
        title: Option<&ast::Str>,
        body: &ast::Block,
        span: Span,
        (p, shared): (&Policy, &Shared),
    ) -> Option<Category> {
        let is_unrestricted = kind == CategoryKind::Unrestricted;
        let mut cat = Category {
            name: name.to_string(),
            name_span,
            title: title.map_or_else(|| name.to_string(), |t| t.value.clone()),
            criteria: Vec::new(),
            restriction: RestrictionType::Exclude,
            rules: shared.every_category(kind, name),
            denied_view: View::Notice,
            protects: Vec::new(),
            reaches: Vec::new(),
            disclose: None,
            review: None,
            lasts: None,
            temporary: Vec::new(),
            contact: None,
            approvals: Vec::new(),
            unstated_approvals: Vec::new(),
            span,
        };
        let mut once: HashMap<&'static str, Span> = HashMap::new();
        let mut restriction_seen = false;
        let mut used: Vec<(String, Span)> = Vec::new();
        let mut numbers = RuleNumbers::default();
        let mut kinds: Vec<(Option<String>, Span)> = Vec::new();
        for st in &body.statements {
            let key = match st {
                ast::Statement::Restriction(..) => Some("restriction"),
                ast::Statement::Review(..) => Some("review"),
                ast::Statement::DeniedView(..) => Some("denied_view"),
                ast::Statement::Contact(..) => Some("contact"),
                ast::Statement::Disclose(..) => Some("disclose"),
                ast::Statement::Protects(..) => Some("protects"),
                ast::Statement::Lasts(..) => Some("lasts"),
                ast::Statement::Reaches(..) => Some("reaches"),
                _ => None,
            };
            if let Some(k) = key {
                if let Some(first) = once.get(k) {
                    self.report(
                        Diagnostic::error(
                            Code::Repeated,
                            format!("`{k}` is given twice in category `{name}`"),
                            st.span(),
                            "given again here",
                        )
                        .with_label(*first, "first given here")
                        .with_help(format!("keep one `{k}` statement")),
                    );
                    continue;
                }
                once.insert(k, st.span());
            }
            match st {
                ast::Statement::Criteria(s, _) => cat.criteria.push(s.value.clone()),
                ast::Statement::Restriction(i, _) => {
                    restriction_seen = true;
                    if let Some(r) = self.ok(values::restriction(i)) {
                        cat.restriction = r;
                    }
                }
                ast::Statement::Grant(r) | ast::Statement::Deny(r) => {
                    let is_grant = matches!(st, ast::Statement::Grant(_));
                    let n = numbers.next(is_grant);
                    if let Some(rule) = self.rule(name, r, is_grant, n, p) {
                        cat.rules.push(rule);
                    }
                }
                ast::Statement::Review(r) => {
                    if let Some(review) = self.review(r) {
                        cat.review = Some(review);
                    }
                }
                ast::Statement::DeniedView(v, _) => {
                    if let Some(v) = self.ok(values::view(v)) {
                        cat.denied_view = v;
                    }
                }
                ast::Statement::Disclose(_, span) if is_unrestricted => self.report(
                    Diagnostic::error(
                        Code::DiscloseUnrestricted,
                        "the `unrestricted` block has nothing to conceal",
                        *span,
                        "`disclose` on the unrestricted block",
                    )
                    .with_help("a refusal by the unrestricted block is explained in full; say what each category discloses in the category, or for all of them with a top-level `disclose`"),
                ),
                ast::Statement::Disclose(items, _) => match disclosure(items) {
                    Ok(d) => cat.disclose = Some(d),
                    Err(errors) => errors.into_iter().for_each(|e| self.report(e)),
                },
                ast::Statement::Temporary(t) if is_unrestricted => self.report(
                    Diagnostic::error(
                        Code::TemporaryUnrestricted,
                        "the `unrestricted` block cannot offer temporary access",
                        t.span,
                        "temporary access on unrestricted records",
                    )
                    .with_help("offer temporary access in the categories whose records need it"),
                ),
                ast::Statement::Temporary(t) => {
                    if let Some(k) = self.temporary(t, p, &kinds) {
                        cat.temporary.push(k);
                    }
                    let name = t.kind.as_ref().map(|(n, _)| n.name.clone());
                    if !kinds.iter().any(|(k, _)| *k == name) {
                        kinds.push((name, t.kind.as_ref().map_or(t.span, |(n, _)| n.span)));
                    }
                }
                ast::Statement::Contact(a, text, span) => {
                    if let Some(who) = self.contact_atom(a) {
                        cat.contact = Some(Contact {
                            who,
                            text: text.as_ref().map(|s| s.value.clone()),
                            span: *span,
                        });
                    }
                }
                ast::Statement::Approve(a) => {
                    let (mut stated, mut unstated) = self.approve(a);
                    if stated.iter().any(|s| s.purpose == Purpose::Flag)
                        || unstated.iter().any(|u| u.purpose == Purpose::Flag)
                    {
                        let at = a
                            .purposes
                            .iter()
                            .find(|p| p.name == Purpose::Flag.word())
                            .map_or(a.span, |p| p.span);
                        self.report(
                            Diagnostic::error(
                                Code::FlagApprovalInCategory,
                                "who approves adding a flag is said for the whole policy",
                                at,
                                "a flag belongs to no category",
                            )
                            .with_label(a.span, "in this category")
                            .with_help("move `approve flag by ...` to the top level of the policy"),
                        );
                        stated.retain(|s| s.purpose != Purpose::Flag);
                        unstated.retain(|u| u.purpose != Purpose::Flag);
                    }
                    cat.approvals.extend(stated);
                    cat.unstated_approvals.extend(unstated);
                }
                ast::Statement::Use(names, _) => {
                    let v = self.use_in_category(shared, names, (kind, name), &mut used);
                    cat.rules.extend(v);
                }
                ast::Statement::Protects(_, span) if is_unrestricted => self.report(
                    Diagnostic::error(
                        Code::ProtectsUnrestricted,
                        "the `unrestricted` block cannot protect a section",
                        *span,
                        "`protects` on the unrestricted block",
                    )
                    .with_help("a section is protected by a restriction: declare a category that `protects` it and place it on the records that need it"),
                ),
                ast::Statement::Protects(names, _) => {
                    cat.protects = self.each_once(names, SymbolKind::Section);
                }
                ast::Statement::Lasts(l) if is_unrestricted => self.lasts_unrestricted(l),
                ast::Statement::Lasts(l) => cat.lasts = self.lasts(l),
                ast::Statement::Reaches(_, span) if is_unrestricted => self.report(
                    Diagnostic::error(
                        Code::ReachesUnrestricted,
                        "the `unrestricted` block cannot reach a linked record",
                        *span,
                        "`reaches` on the unrestricted block",
                    )
                    .with_help("a linked record is protected by a restriction: declare a category that `reaches` the link and place it on the records that need it"),
                ),
                ast::Statement::Reaches(names, _) => {
                    cat.reaches = self.each_once(names, SymbolKind::Link);
                }
            }
        }
        if !restriction_seen && !is_unrestricted {
            self.report(
                Diagnostic::error(
                    Code::MissingRestriction,
                    format!("category `{name}` has no restriction type"),
                    span,
                    "add `restriction universal` or `restriction exclude`",
                )
                .with_help("`universal` refuses everyone not granted; `exclude` allows normal access except the named exclusions"),
            );
        }
        let disclosed = p.disclosure(&cat).contact;
        if let Some(d) = contact_never_shown(&cat, disclosed, once.get("denied_view").copied()) {
            self.report(d);
        }
        Some(cat)
    }

    pub(super) fn rule(
        &mut self,
        cat: &str,
        r: &ast::Rule,
        is_grant: bool,
        n: usize,
        p: &Policy,
    ) -> Option<Rule> {
        let actions = self.actions(&r.actions, p);
        let condition = self.subjects(&r.subjects, Context::Rule, p);
        if is_grant {
            if let Some(c) = &condition {
                self.negated_context(&r.subjects, c, p);
            }
        }
        let obligations = self.obligations(&r.requires);
        let shows = r.shows.as_ref().and_then(|v| self.ok(values::view(v)));
        if is_grant && (r.absolute || r.shows.is_some()) {
            self.report(
                Diagnostic::error(
                    Code::InvalidValue,
                    "`absolute` and `shows` apply only to denies",
                    r.span,
                    "on a grant",
                )
                .with_help("remove it, or make the rule a `deny`"),
            );
        }
        let effect = match (is_grant, r.absolute) {
            (true, _) => Effect::Grant,
            (false, true) => Effect::AbsoluteDeny,
            (false, false) => Effect::Deny,
        };
        Some(Rule {
            id: format!("{cat}.{}.{n}", if is_grant { "grant" } else { "deny" }),
            effect,
            actions: actions?,
            condition: condition?,
            subjects_text: describe_subjects(&r.subjects, p),
            obligations,
            shows,
            span: r.span,
        })
    }

    /// One kind of temporary access, checked against the kinds the category already gives
    /// (`kinds`: each kind's name, `None` for the default, and where it is written).
    pub(super) fn temporary(
        &mut self,
        t: &ast::Temporary,
        p: &Policy,
        kinds: &[(Option<String>, Span)],
    ) -> Option<TemporaryAccess> {
        let kind_name = t.kind.as_ref().map(|(n, _)| n.name.clone());
        let kind_span = t.kind.as_ref().map_or(t.span, |(n, _)| n.span);
        if let Some((_, first)) = kinds.iter().find(|(k, _)| *k == kind_name) {
            let what = match &kind_name {
                Some(k) => format!("temporary access of kind `{k}` is given twice"),
                None => "the default temporary access (a `temporary` statement naming no kind) is given twice".to_string(),
            };
            self.report(
                Diagnostic::error(Code::DuplicateGrantKind, what, kind_span, "given again here")
                    .with_label(*first, "first given here")
                    .with_help("give each kind its own name: `temporary task_access \"Task access\" view for 2 weeks ...`"),
            );
            return None;
        }
        let actions = self.actions(&t.actions, p);
        let max = self.ok(values::period(&t.max));
        let to = match &t.to {
            Some(s) => {
                let c = self.subjects(s, Context::TemporaryTo, p)?;
                self.negated_context(s, &c, p);
                Some(c)
            }
            None => None,
        };
        let mut approved_by = Vec::new();
        for a in &t.approved_by.alternatives {
            let Some(x) = self.approver(a, Boards::Allowed) else {
                continue;
            };
            let unchecked = x.condition_atoms().find(|atom| {
                matches!(
                    atom,
                    Atom::Organisation(_)
                        | Atom::OrgKind(_)
                        | Atom::Relation(
                            Relation::LineManager
                                | Relation::RecordSubject
                                | Relation::Relative
                                | Relation::Author
                                | Relation::ActingFor
                                | Relation::RecordTeam
                        )
                )
            });
            match unchecked {
                None => approved_by.push(x),
                Some(atom) => self.report(
                    Diagnostic::error(
                        Code::RelationMisplaced,
                        format!(
                            "`{}` cannot be checked as a temporary grant's approver",
                            crate::policy::words::atom_notation(p, atom)
                        ),
                        a.span,
                        "the request does not say who holds this",
                    )
                    .with_help("a temporary grant's approver is a role, team, person or board, `owner`, `allocated_manager` or `allocated_worker`, or several joined by `and`"),
                ),
            }
        }
        let (renewable, notify) =
            self.renewals_and_notice(Limited::Grant, max, &t.max, &t.renewable, &t.notify)?;
        let obligations = self.obligations(&t.requires);
        Some(TemporaryAccess {
            kind: t.kind.as_ref().map(|(n, title)| {
                (
                    n.name.clone(),
                    title
                        .as_ref()
                        .map_or_else(|| n.name.clone(), |s| s.value.clone()),
                )
            }),
            actions: actions?,
            max: max?,
            to,
            approved_by,
            renewable,
            notify,
            obligations,
            span: t.span,
        })
    }
}

/// CL0118: a category names a contact that no refusal ever shows: its `denied_view` (by
/// default `notice`) and every deny's `shows` are below `notice_with_contact`.
fn contact_never_shown(
    cat: &Category,
    disclosed: bool,
    denied_view_at: Option<Span>,
) -> Option<Diagnostic> {
    let contact = cat.contact.as_ref()?;
    // A contact the category does not disclose is withheld on purpose.
    if !disclosed {
        return None;
    }
    let shown = |v: View| v >= View::NoticeWithContact;
    let refusals = std::iter::once(cat.denied_view).chain(
        cat.rules
            .iter()
            .filter(|r| r.effect != Effect::Grant)
            .map(|r| r.shows.unwrap_or(cat.denied_view)),
    );
    if refusals.into_iter().any(shown) {
        return None;
    }
    let mut d = Diagnostic::warning(
        Code::ContactNeverShown,
        format!(
            "the contact of category `{}` is never shown: a refused person sees `{}`",
            cat.name,
            cat.denied_view.word()
        ),
        contact.span,
        "never shown",
    );
    d = match denied_view_at {
        Some(at) => d.with_label(at, "shows no contact"),
        None => d.with_note("`denied_view` is `notice` when a category does not set it"),
    };
    Some(d.with_help(
        "write `denied_view notice_with_contact` (or `minimal`) so a refused person learns who to ask, or remove the contact",
    ))
}

/// Grants and denies are numbered apart, in source order: `CATEGORY.grant.N`, `CATEGORY.deny.N`.
#[derive(Debug, Default)]
pub(super) struct RuleNumbers {
    grants: usize,
    denies: usize,
}

impl RuleNumbers {
    /// The next grant's or deny's number, from 1.
    pub(super) fn next(&mut self, is_grant: bool) -> usize {
        let n = if is_grant {
            &mut self.grants
        } else {
            &mut self.denies
        };
        *n += 1;
        *n
    }
}

impl Resolver {
    /// A `review` statement of a category or a flag; `None` when its interval is malformed
    /// (reported).
    pub(super) fn review(&mut self, r: &ast::Review) -> Option<Review> {
        let schedule = match &r.schedule {
            ast::ReviewSchedule::Every(d) => self.ok(values::period(d)).map(Schedule::Every),
            ast::ReviewSchedule::Never(why) => {
                Some(Schedule::Never(why.as_ref().map(|s| s.value.clone())))
            }
            ast::ReviewSchedule::Until(e) => Some(Schedule::Until(e.value.clone())),
            ast::ReviewSchedule::Unstated(why) => self
                .ok(values::reason(why, "review unstated"))
                .map(Schedule::Unstated),
        };
        let reviewer = r.reviewer.as_ref().and_then(|c| self.chain(c));
        Some(Review {
            schedule: schedule?,
            until: r.until.as_ref().map(|e| e.value.clone()),
            reviewer,
            span: r.span,
        })
    }
}
