//! The registry of stable diagnostic codes: each code's name and its longer documentation,
//! printed by `caselock rule CODE` and listed in `docs/diagnostics.md`.

use serde::Serialize;

macro_rules! codes {
    ($( $variant:ident = $code:literal, $name:literal, $summary:literal, $doc:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = $summary]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as written: `CL0101`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// A short kebab-case name: `unknown-name`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// One line on what the code flags.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }

            /// The longer documentation: why it matters, and an example.
            pub fn doc(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }
        }
    };
}

impl Code {
    /// Looks a code up by its text (`CL0101`) or name (`unknown-name`), ignoring case.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(s) || c.name().eq_ignore_ascii_case(s))
    }
}

impl Code {
    /// The code's whole documentation as `caselock rule CODE` prints it: code, name, summary,
    /// then the longer text with its example.
    pub fn explain(self) -> String {
        format!(
            "{} ({}): {}\n\n{}",
            self.as_str(),
            self.name(),
            self.summary(),
            self.doc()
        )
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

codes! {
    Syntax = "CL0001", "syntax-error", "The file does not follow the grammar",
"The parser expected something else at this point: a missing brace, a misspelt keyword, a
duration without a number. The message says what was expected.

    category adoption \"Adoption\" {
      restriction universal
    # error[CL0001]: expected `}` or a statement, found end of file";
    Literal = "CL0002", "invalid-literal", "A string, number or date literal is malformed",
"A string with an unknown escape (`\\q`), a number too large to store, or a date that is not a
real calendar date (`2026-02-30`).

    updated 2023-13-01
    # error[CL0002]: `2023-13-01` is not a date";
    UnknownName = "CL0101", "unknown-name", "A name is used but never declared",
"Every role, team, person, organisation, group, action, obligation and escalation path must be
declared before a rule can use it; a misspelt name would otherwise silently match nobody.

    team emergency_duty
    category adoption { grant view to team emergancy_duty }
    # error[CL0101]: unknown team `emergancy_duty`
    # help: did you mean `emergency_duty`?";
    DuplicateName = "CL0102", "duplicate-name", "A name is declared twice",
"All declared names share one namespace, so `placements` cannot be both a team and a role, and
a category cannot be declared twice. The secondary label points at the first declaration.

    team placements
    role placements
    # error[CL0102]: `placements` is declared twice";
    WrongKind = "CL0103", "wrong-kind", "A name of one kind is used where another is needed",
"Granting to a category, writing `team x` where `x` is a role, or naming an action where a
subject is expected. The message says what the name is.

    category adoption { grant view to high_risk }
    # error[CL0103]: `high_risk` is a category, not a subject";
    ReservedName = "CL0104", "reserved-name", "A declaration uses a built-in word as its name",
"The relations (`allocated_worker`, `allocated_manager`, `owner`, `named_allow`, `named_deny`,
`temporary_grant`, `record_team`, `line_manager`), `everyone` and `all` have fixed meanings and
cannot be declared.

    role owner
    # error[CL0104]: `owner` is a built-in relation and cannot be declared";
    InvalidValue = "CL0105", "invalid-value", "A setting has a value it cannot take",
"Restriction types, view levels, organisation kinds, approval purposes, things to disclose,
duration units and retention anchors each take one of a fixed set of words.

    restriction univeral
    # error[CL0105]: unknown restriction type `univeral`
    # help: did you mean `universal`?";
    MissingUnit = "CL0106", "missing-unit", "A duration has no unit",
"`review every 90` could mean days, weeks or months; caselock never guesses.

    review every 90 by role team_manager
    # error[CL0106]: duration `90` has no unit
    # help: write `90 days`, `90 weeks` or `90 months`";
    HierarchyCycle = "CL0107", "hierarchy-cycle", "Teams or roles are their own ancestors",
"`in PARENT` builds a tree; a cycle would make membership infinite. The message lists the
whole cycle.

    team a in b
    team b in a
    # error[CL0107]: team hierarchy has a cycle: `a` -> `b` -> `a`";
    GroupCycle = "CL0108", "group-cycle", "A group includes itself",
"Groups may include other groups, but not, directly or through others, themselves.

    group a = group b
    group b = group a
    # error[CL0108]: group `a` includes itself: `a` -> `b` -> `a`";
    Header = "CL0109", "policy-header", "A policy has no header, or more than one",
"Exactly one file of a policy starts with `policy ID \"Title\" version N`; the other files of a
policy directory hold only items.

    team a
    # error[CL0109]: no file of this policy has a `policy` header";
    Repeated = "CL0110", "repeated-statement", "A once-only statement is written twice",
"A category has one restriction type, one review schedule, one `denied_view`, one `temporary`
and one contact; a second would leave the first silently ignored.

    restriction universal
    restriction exclude
    # error[CL0110]: `restriction` is given twice in category `adoption`";
    MissingRestriction = "CL0111", "missing-restriction", "A category does not say its restriction type",
"`restriction universal` (everyone is refused except those granted) and `restriction exclude`
(normal access except the named exclusions) behave oppositely; caselock never picks one.

    category adoption \"Adoption\" { grant view to allocated_worker }
    # error[CL0111]: category `adoption` has no restriction type";
    RelationMisplaced = "CL0112", "relation-not-allowed-here", "A relation is used where it means nothing",
"`line_manager` is only known while an approval is routed, so it may appear only in approval
chains; a temporary grant's approver must be someone the evaluator can check from the request
(`owner`, `allocated_manager`, `allocated_worker`, a person); `everyone` cannot approve.

    grant view to line_manager
    # error[CL0112]: `line_manager` cannot be used in a grant";
    EmptyActions = "CL0113", "no-actions", "A rule names no actions, or an action twice",
"`all` stands for every declared action; naming an action twice in one rule is a slip.

    grant view, view to allocated_worker
    # warning[CL0113]: action `view` is named twice";
    TestField = "CL0114", "test-field", "A test statement has an unknown or malformed field",
"Each statement of a `test` block takes its own fields: `subject \"ID\" roles ... teams ...
organisation ...`, `record \"ID\" category ... placed_on ... owner ...`, `temporary_grant
granted_at ... for ... approved_by ...`, `expect allow|deny view ... rule ... kind ...
obligations ... warnings ... explains ...`. A misspelt field would otherwise leave the fact out
of the request and the test would pass or fail for the wrong reason.

    subject \"u-1\" role social_worker organisation council
    # error[CL0114]: unknown field `role` in `subject`
    # help: did you mean `roles`?";
    UnusedDeclaration = "CL0115", "unused-declaration", "A declared name is never used",
"Usually a leftover from an edit, or a rule that was meant to mention it. A role or team counts
as used when a rule, group, approval, contact or `in` names it, when it sits below one that is
named (holding it counts for its ancestor), or when a test's subject or record names it (a role
declared only so that requests carrying it are decided, not refused as unknown). Reported only
for a policy without errors, where a failed name may be the missing use.

    team scimt
    # warning[CL0115]: team `scimt` is declared but never used";
    ConditionTooLarge = "CL0116", "condition-too-large", "A subject list expands to too many alternatives",
"A rule's subjects are kept as alternatives of names (`team a and role b, team c`). Groups joined
by `and` multiply their members, so a few lines can ask for more alternatives than any stage can
hold; caselock refuses a subject list that expands to more than 65,536 names and alternatives
rather than run out of memory. No real policy comes near it.

    group g0 = team a, team b
    group g1 = g0 and g0
    group g2 = g1 and g1
    group g3 = g2 and g2
    group g4 = g3 and g3
    # error[CL0116]: these subjects expand to more than 65536 names and alternatives";
    PeriodOutOfRange = "CL0117", "period-out-of-range", "A duration reaches past the end of the calendar",
"Every review interval, temporary grant and retention period is counted from dates a request or
register may give, up to the end of 2200. A duration that cannot be counted from there (such as
`300000 years`) would set a date that never arrives, so a review would silently never fall due;
it is refused rather than read as \"never\".

    review every 300000 years by role team_manager
    # error[CL0117]: `300000 years` reaches past the end of the calendar";
    ContactNeverShown = "CL0118", "contact-never-shown", "A category's contact is never shown to anyone refused",
"A refused person is shown the category's contact only when what they see is
`notice_with_contact` or `minimal`. Under `denied_view notice` (the default) or `none`, with no
deny that `shows` more, the `contact` statement is dropped from every refusal: the caseworker is
not told who to ask, although the policy names someone.

    denied_view notice
    contact team qa_unit \"the Quality Assurance Unit\"
    # warning[CL0118]: the contact of category `adoption` is never shown: a refused person sees `notice`";
    SilenceWithoutReason = "CL0119", "silence-without-reason", "A statement that the source is silent gives no reason",
"`review unstated \"REASON\"` records that the source document gives no review interval, and
`approve place unstated \"REASON\"` that it names no approver, so that the policy need not invent
one; the reason is what the finding says to the council, so it must say which document is
silent and where.

    review unstated \"\"
    # error[CL0119]: `review unstated` gives no reason";
    IncompleteFile = "CL0130", "incomplete-file", "A policy file does not end with `end`",
"Every policy file ends with a line `end`. A file cut short while it was being written or copied
(a partial save, a half-finished copy of a directory) would otherwise still be a valid policy,
and often a weaker one: cut just before `and record_team` and a rule for a team's records
becomes a rule for the whole team. With `end` required, any prefix of a file is an error.

    category adoption \"Adoption\" {
      restriction universal
      grant view to team emergency_duty
    }
    # error[CL0130]: the file does not end with `end`: it may have been cut short";
    UnknownContextValue = "CL0140", "unknown-context-value", "A rule or test names a value its context does not declare",
"A context (`context network = ncc, other`) lists every value a request may state. A rule that
tests a value the context does not list would never hold for a request, and a request that
states one is refused; the checker names the values it does list.

    context network \"Network\" = ncc, other
    category adoption { grant view to network nccc }
    # error[CL0140]: context `network` has no value `nccc`
    # help: did you mean `ncc`? `network` is one of `ncc`, `other`";
    RepeatedContextValue = "CL0141", "repeated-context-value", "A context lists one value twice",
"Each value of a context is one fact a request may state; a value listed twice is a slip (often
a copy-paste of a line meant to name another value).

    context purpose \"Purpose\" = casework, audit, casework
    # error[CL0141]: context `purpose` lists `casework` twice";
    NegatedContextGrant = "CL0142", "negated-context-grant", "A grant holds when a request states no context",
"A request that states no value for a context holds none of its atoms, so `not network other`
holds for it: a grant (or a temporary `to` list) written with `not` opens the record to a
request that says nothing about where it comes from. Name the value that is required instead
(`network ncc`); a deny with `not` is the fail-closed form and is not flagged.

    context network \"Network\" = ncc, other
    category adoption { grant view to role worker and not network other }
    # warning[CL0142]: `not network other` also holds for a request that states no `network`
    # help: grant to `network ncc` (the values that are required), or deny to `network other`";
    TemporaryUnrestricted = "CL0120", "temporary-on-unrestricted", "The unrestricted block offers temporary access",
"Temporary access is a way into a restricted record. A restricted record is first decided as the
unrestricted record would be (a restriction never gives more, docs/semantics.md), without any
temporary grant; a grant on the unrestricted block could never be read consistently with that, so
it is refused. Offer temporary access in the categories that need it.

    unrestricted {
      restriction exclude
      temporary view for 24h approved_by owner
    }
    # error[CL0120]: the `unrestricted` block cannot offer temporary access";
    DiscloseUnrestricted = "CL0121", "disclose-on-unrestricted", "The unrestricted block says what a refused person is told",
"`disclose` says what a person refused by a restriction may learn about it. The unrestricted
block is no restriction: a refusal by it is the same whether or not the record is restricted
(docs/semantics.md), so nothing about a restriction can leak through it and its refusals are
explained in full. Say what each category discloses in the category, or for every category with
a top-level `disclose`.

    unrestricted {
      restriction exclude
      disclose title
    }
    # error[CL0121]: the `unrestricted` block has nothing to conceal";
    FlagWithoutDuty = "CL0122", "flag-without-duty", "A flag does not say what it warns of",
"A flag restricts nobody: a record that carries it is decided exactly as without it. What it adds
is a duty for whoever may open the record, such as reading a hazard note before a visit, given
as an obligation on every allowed decision (docs/semantics.md, \"Flags\"). A flag without its
`warns` text, or with an empty one, would be carried by records and tell nobody anything.

    flag hazard \"Hazard\" {
      review every 6 months by owner
    }
    # error[CL0122]: flag `hazard` does not say what it warns of";
    ProtectsUnrestricted = "CL0127", "protects-on-unrestricted", "The unrestricted block protects a section",
"`protects` says which sections of a record a restriction covers (docs/language.md, \"Sections\").
The unrestricted block is no restriction: it decides every record and every section that no
restriction on the record protects, so it has no sections of its own to protect. Declare a
category that protects the section, and place it on the records that need it.

    unrestricted {
      restriction exclude
      protects adoption_file
    }
    # error[CL0127]: the `unrestricted` block cannot protect a section";
    ReachesUnrestricted = "CL0131", "reaches-on-unrestricted", "The unrestricted block reaches a linked record",
"`reaches` says that a restriction of a category also protects the records linked to the
restricted one (docs/language.md, \"Linked records\"). The unrestricted block is no restriction:
nothing is placed on a record under it, so there is nothing to carry across a link. Declare a
category that reaches the link, and place it on the records whose linked records it must protect.

    link adoption_record \"Secure Adoption Record\"
    unrestricted {
      restriction exclude
      reaches adoption_record
    }
    # error[CL0131]: the `unrestricted` block cannot reach a linked record";
    DuplicateGrantKind = "CL0160", "duplicate-grant-kind", "A category gives one kind of temporary access twice",
"A category may offer several kinds of temporary access (`temporary task_access \"Task access\" ...`,
`temporary involved_worker \"Involved worker\" ...`), each with its own actions, maximum, approvers,
renewals and notice. A request's grant names its kind, so two statements of the same kind (or two
that name no kind, both the default) would leave it unclear which maximum and approvers apply.

```text
category adoption {
  restriction universal
  temporary task_access view for 2 weeks approved_by owner
  temporary task_access view for 6 months approved_by owner   # CL0160
}
```";
    NotifyOutlastsGrant = "CL0161", "notify-outlasts-grant", "The notice before temporary access ends is as long as the access",
"`notify 3 days` tells the holder of a grant this long before it ends (a warning and an
`access_ends_soon` obligation on every allowed decision in that window). A notice as long as the
grant's maximum, or longer, would be given from the moment the grant starts, which tells nobody
anything.

```text
temporary view for 1 week approved_by owner notify 2 weeks   # CL0161
```";
    RenewableZero = "CL0162", "renewable-zero", "A kind of temporary access is renewable no times",
"A grant can be renewed only as often as `renewable N` says; without it, a grant cannot be
renewed at all. `renewable 0` says what leaving it out says: remove it, or give the number the
source allows.

```text
temporary view for 2 weeks approved_by owner renewable 0   # CL0162
```";
    BoardMemberMisplaced = "CL0163", "board-member-misplaced", "A board's member is a relation to a record",
"A board (`board joint_framework \"Joint Framework Board\" = person lead_1, role panel_chair`) is the
same people for every record: its members are people, roles and teams, or several joined by `and`.
A relation such as `owner` differs from record to record; write it beside the board in the
approver instead (`approved_by board joint_framework and owner`).

```text
board panel \"Panel\" = person lead_1, owner   # CL0163
```";
    ReservedAction = "CL0164", "reserved-action", "An action is named like a lifecycle action",
"Placing, amending, lifting and renewing a restriction, adding someone to its access list,
granting and renewing temporary access and adding a flag are actions every policy has (`place`,
`amend`, `lift`, `renew`, `grant_access`, `grant_temporary`, `renew_temporary`, `add_flag`): a request for one is decided by its approval
chain (`approve lift by ...`), not by grant and deny rules. An action of the same name would make
a request ambiguous, so the name is refused.

```text
action view, lift   # CL0164
```";
    FlagApprovalInCategory = "CL0165", "flag-approval-in-category", "A category says who approves adding a flag",
"A flag belongs to no category, so who approves adding one is said once for the policy, at the
top level (`approve flag by role team_manager`). Inside a category it would apply to nothing.

```text
category adoption {
  restriction universal
  approve flag by role team_manager   # CL0165
}
```";
    ActingApproverRelation = "CL0170", "acting-approver-relation", "An `acting` statement's approver is a relation to a record",
"`acting for up to 2 weeks approved_by ...` says who may approve a deputy acting for a colleague.
The approval is about two people, not about any one record: the same window counts for every
record the deputy opens. A relation such as `owner` or `allocated_manager` differs from record to
record (and from restriction to restriction), so it cannot approve a window. Name a role, team,
person or board, or several joined by `and`.

```text
acting for up to 2 weeks approved_by allocated_manager   # CL0170
```";
    ActingForNeverHolds = "CL0171", "acting-for-never-holds", "A rule names `acting_for` but the policy lets nobody act for anyone",
"`acting_for` holds only for a request made on a colleague's behalf in a window an `acting`
statement admits. A policy without an `acting` statement refuses every request that says it acts
for someone (it fails closed), so a rule that names `acting_for` can never be reached that way:
a deny never fires and a grant's `not acting_for` always holds. Add the `acting` statement the
source describes, or remove the atom.

```text
category hr_case {
  restriction universal
  deny all to acting_for   # CL0171, with no `acting` statement
}
```";
    ActingForWidens = "CL0172", "acting-for-widens", "A rule widens access through `acting_for`",
"A deputy inherits the rights of the colleague they act for, and never more: a request made on a
colleague's behalf is decided with the colleague's roles, teams and relations to the record. A
grant (or a temporary statement's `to` list) that holds through `acting_for`, or a deny that
holds through `not acting_for`, would give a deputy something the colleague alone does not have.
Deny with `acting_for` instead (`deny all to acting_for`: \"accessing records on behalf of a
colleague is not permitted\"), or narrow a grant with `not acting_for`.

```text
grant view to role social_worker and acting_for   # CL0172
```";
    LastsUnrestricted = "CL0190", "lasts-on-unrestricted", "The unrestricted block says how long a restriction lasts",
"`lasts` limits how long a restriction of a category runs before it must be renewed or lifted.
The unrestricted block is no restriction: nothing is placed, so nothing ends. Say how long a
restriction lasts in the categories whose restrictions are time-limited.

    unrestricted {
      restriction exclude
      lasts 6 months
    }
    # error[CL0190]: the `unrestricted` block has no restriction that could end";
    NotifyOutlastsRestriction = "CL0191", "notify-outlasts-restriction", "The notice before a restriction ends is as long as the restriction",
"`lasts 6 months notify 14 days` tells every person allowed to open a restricted record, 14 days
before the restriction ends, that it ends soon (a `restriction_ends_soon` warning and obligation
on every allowed decision in that window). A notice as long as the restriction's maximum, or
longer, would be given from the day it is placed, which tells nobody anything.

```text
category adoption {
  restriction universal
  lasts 1 month notify 6 weeks   # CL0191
}
```";
    RestrictionRenewableZero = "CL0192", "restriction-renewable-zero", "A time-limited restriction is renewable no times",
"A restriction of a category that `lasts` a period can be renewed only as often as `renewable N`
says; without it, not at all. `renewable 0` says what leaving it out says: remove it, or give the
number of renewals the source allows.

```text
category adoption {
  restriction universal
  lasts 6 months renewable 0   # CL0192
}
```";
    FactConditionAtom = "CL0180", "fact-condition-atom", "A trigger's condition names something other than a fact about the record",
"The condition of a `trigger` or a `never restrict` statement is about the record, not about
the person asking: it joins declared facts (`fact adoption_plan \"Adoption is the permanence
plan\"`) with `and`, `not` and commas, as a rule's subjects are joined. A role, team, relation or
context there would be decided by whoever happens to ask, so it is refused.

```text
fact adoption_plan \"Adoption is the permanence plan\"
trigger adoption when adoption_plan and role social_worker   # CL0180
```";
    CategoryListShape = "CL0181", "category-list-shape", "A rule about restrictions lists a category twice, or too few",
"`exclusive a, b` says that no record may carry two of its categories: it needs at least two
different ones, and a category listed twice (`exclusive adoption, adoption`) would forbid a
record to carry it at all. A `never restrict` statement's categories are each listed once.

```text
exclusive adoption, adoption   # CL0181
```";
    TriggerNoneContradicted = "CL0182", "trigger-none-contradicted", "A policy says nothing triggers a restriction, and gives a trigger",
"`trigger never \"REASON\"` records that the source names no situation that requires a record to
be restricted automatically. A `trigger CATEGORY when ...` statement in the same policy says the
opposite; keep the one the source supports.

```text
trigger never \"There are no situations which automatically require a record to be locked\"
trigger adoption when adoption_plan   # CL0182
```";
    NeverLifted = "CL0240", "never-lifted", "A category can be placed but never lifted",
"Placing and lifting a restriction are lifecycle actions decided by the category's `approve
place` and `approve lift` chains (or the policy-wide ones). A policy that says who approves
placing a category but not who approves lifting it refuses every request to lift it: the
restriction, once placed, could never be lifted. Say who approves, or that the source names no
one (`approve lift unstated \"why\"`), which makes the gap a known one.

```text
category adoption {   # CL0240
  restriction universal
  approve place by role team_manager
}
```";
    TooFewApprovers = "CL0241", "too-few-approvers", "A chain's named people cannot fill its steps as different people",
"Nobody approves two steps of one chain (maker-checker). When some steps can only be approved
by people the policy names, the chain needs as many different named people as there are such
steps; otherwise it can never be completed. Found exactly, as a matching of steps to people.

```text
approve lift by person lead_1 -> person lead_1   # CL0241
```";
    SelfApprovalOnly = "CL0242", "self-approval-only", "Only the holder of temporary access could approve it",
"A kind of temporary access given only to one person (`to owner`) and approved only by the same
person (`approved_by owner`) could only ever be approved by its holder, and nobody may approve
their own access: no grant of it ever counts.

```text
temporary view for 24h to owner approved_by owner   # CL0242
```";
    MappingFile = "CL0150", "mapping-file", "A system's mapping file cannot be read",
"A mapping file translates one connected system's names for roles, teams and organisations to
the policy's identifiers (docs/operations.md). It is TOML with `system = \"NAME\"` and the
tables `[roles]`, `[teams]` and `[organisations]`, each of `\"system's name\" =
\"policy_identifier\"`. A file that is not TOML, lacks `system`, or has another field is refused,
so a misspelt table is never silently empty.

    system = \"liquid_logic\"
    [role]
    \"SW\" = \"social_worker\"
    # error[CL0150]: not a mapping file: unknown field `role`, expected one of `system`, `roles`, `teams`, `organisations`";
    UnknownMappingTarget = "CL0151", "unknown-mapping-target", "A mapping names a role, team or organisation the policy does not declare",
"Every name a system sends is translated to the policy identifier its mapping gives, and the
policy must declare that identifier; otherwise every request using the name would be refused as
an unknown role, team or organisation. Map the name to a declared identifier, or declare it.

    [roles]
    \"Social Worker\" = \"social_workr\"
    # error[CL0151]: `Social Worker` maps to unknown role `social_workr`";
    AmbiguousMapping = "CL0152", "ambiguous-mapping", "One name of a system is mapped to two different identifiers",
"Names are matched ignoring case, since systems' exports differ in case, so two lines whose
names differ only in case are the same name. When they map it to different identifiers, a
request could not tell which is meant: the file is refused.

    [teams]
    \"Adoption\" = \"adoption_team\"
    \"ADOPTION\" = \"fostering_team\"
    # error[CL0152]: team `ADOPTION` of system `liquid_logic` is mapped to both `adoption_team` and `fostering_team`";
    DuplicateMapping = "CL0153", "duplicate-mapping", "One name of a system is listed twice with the same identifier",
"Two lines whose names differ only in case map the name to the same identifier. Nothing is
ambiguous, but one line is redundant and a later edit to only one of them would make the file
ambiguous (CL0152).

    [organisations]
    \"NCC\" = \"council\"
    \"ncc\" = \"council\"
    # warning[CL0153]: organisation `ncc` of system `liquid_logic` is listed twice";
    ConflictingRules = "CL0201", "conflicting-rules", "Two rules of equal precedence overlap and say different things",
"A deny always outranks a grant, and an absolute deny an overridable one (docs/semantics.md), so
a grant and a deny that overlap are a deliberate carve-out, decided by the language. Rules of
*equal* precedence are two grants, two denies or two absolute denies: when they partly overlap
but prescribe different outcomes (a grant's obligations, what a refused person sees), the
earlier one silently wins where they overlap, and reordering the file would change decisions.
The message names a concrete subject who gets both. A rule wholly inside the other is a
deliberate special case (written first) or unreachable (CL0202), and is not reported here.

    grant view to team edt requires case_note
    grant view to role iro
    # warning[CL0201]: rules `adoption.grant.1` and `adoption.grant.2` overlap with different
    #   obligations: for `view`, a subject with role `iro`, team `edt` ... gets the earlier one";
    UnreachableRule = "CL0202", "unreachable-rule", "A rule never decides any request",
"Higher-precedence rules (absolute denies, the record's exclusion list, denies, earlier grants)
take every subject the rule covers, for every action it names, or its own conditions
contradict each other. Decided exactly over the policy's condition space, not by names. The
secondary labels point at the rules that take its subjects.

    grant view to team edt
    deny all to team edt absolute
    # error[CL0202]: rule `adoption.grant.1` never decides any request";
    RedundantRule = "CL0203", "redundant-rule", "Removing a rule would change no decision",
"Every request the rule decides would be decided the same way by the rules after it (or by the
category's default): the same effect, view and obligations. Usually a duplicate, or a grant in a
`restriction exclude` category that allows what is allowed anyway.

    grant view to team edt
    grant view to team edt, role iro
    # warning[CL0203]: rule `adoption.grant.1` is redundant: removing it changes no decision";
    LockedOut = "CL0204", "locked-out", "Nobody can view a category's records",
"No subject a request can describe may `view` a record of the category: not through a grant,
not through the record's access list, not with a temporary grant. The record is lost to
everyone, including the people who must review it.

    category sealed \"Sealed\" { restriction universal  deny view to everyone }
    # error[CL0204]: nobody can view a record of category `sealed`, not even with temporary access";
    ActionNeverAllowed = "CL0205", "action-never-allowed", "An action nobody may take on any record",
"The policy declares the action but no subject may take it on any record the policy decides
(every category, and the unrestricted block if there is one). Either a grant is missing or the
action is not needed.

    action view, archive
    # warning[CL0205]: no subject may `archive` any record this policy decides";
    NoReviewer = "CL0206", "no-reviewer", "A review schedule names no reviewer",
"A category with `review every ...` or `review until ...` must say who reviews, or the review
report has nobody to send the restriction to.

    review every 3 months
    # warning[CL0206]: category `adoption` has a review schedule but no reviewer";
    NoApprover = "CL0207", "no-approver", "Nobody approves placing a restriction",
"Neither the category nor the policy-wide defaults say who approves placing a restriction of
this category (`approve place by ...`). If the source document names nobody, say so with
`approve place unstated \"REASON\"` rather than invent an approver: the gap is then shown by
`caselock table` instead of this warning.

    category adoption \"Adoption\" { restriction universal  grant view to owner }
    # warning[CL0207]: nobody approves placing a restriction of category `adoption`";
    EscalationCycle = "CL0208", "escalation-cycle", "Escalation goes round in a circle",
"Across the policy's escalation paths, approval chains and reviewers, each step hands the
decision to the next. If following those steps can come back to an approver already passed, a
request can be escalated forever. The graph is built with petgraph; the message lists the cycle.

    escalation up = role team_manager -> role service_manager
    approve lift by role service_manager -> role team_manager
    # error[CL0208]: escalation goes round in a circle: role Team Manager -> role Service Manager -> role Team Manager";
    ApproverDenied = "CL0209", "approver-denied", "An approver may not take the action they approve",
"A temporary-access approver, or an approver of access, none of whom may take the action on the
record themselves (without a temporary grant of their own): the person asked to authorise
access cannot open the record to judge the request.

    deny view to allocated_manager absolute
    temporary view for 24h approved_by allocated_manager
    # error[CL0209]: approver `allocated_manager` may not `view` a `adoption` record themselves";
    EscalationDeadEnd = "CL0210", "escalation-dead-end", "An approval chain cannot end in a grant",
"A step of an approval chain that no subject can fill (such as `partner organisations` in a
policy with no partner organisation), or an access approval whose final approver is not
someone the category's temporary access accepts as a grant's approver: the request is approved
and still cannot be granted.

    approve access by person lead_1
    temporary view for 24h approved_by person lead_2
    # error[CL0210]: the access approval of `adoption` ends with person Lead 1, whose approval its temporary access does not accept";
    TemporaryOutlastsReview = "CL0211", "temporary-outlasts-review", "Temporary access lasts longer than the review interval",
"A temporary grant may run past the next review, so a review can pass without seeing who holds
access. Periods are compared in calendar terms from every start date.

    review every 1 month by role team_manager
    temporary view for 6 weeks approved_by owner
    # warning[CL0211]: temporary access to `adoption` may last 6 weeks, longer than its review interval of 1 month";
    ReviewTooLong = "CL0212", "review-interval-too-long", "A review interval is longer than a year",
"Restrictions must be reviewed at least every 12 months (the policy-wide maximum); a longer
interval usually means a unit slip (`18 months` for `18 weeks`).

    review every 2 years by role team_manager
    # warning[CL0212]: category `adoption` is reviewed every 2 years, longer than the maximum of 12 months";
    NeverReviewed = "CL0213", "never-reviewed", "A category is never reviewed, without saying so",
"A category with no `review` statement keeps its restriction forever. If that is deliberate (as
Devon does for adoption records), say so with `review never \"REASON\"`; if the source document
gives no interval, say so with `review unstated \"REASON\"`, which `caselock table`, `caselock report
reviews` and `caselock diff` show as a known gap instead of this warning.

    category adoption \"Adoption\" { restriction universal  grant view to owner }
    # warning[CL0213]: category `adoption` is never reviewed";
    FlagNeverReviewed = "CL0214", "flag-never-reviewed", "A flag is never reviewed, without saying so",
"A flag has its own review, apart from any restriction on the record: a hazard recorded years ago
may no longer hold. With `review every PERIOD` a decision on a flagged record warns
(`flag_review_overdue`) once the flag's review is overdue, and `caselock reviews` lists it. A
flag with no `review` statement is never due, so say so: `review never \"REASON\"` if that is
deliberate, `review unstated \"REASON\"` if the source gives no interval.

    flag hazard \"Hazard\" { warns \"Read the hazard note before visiting\" }
    # warning[CL0214]: flag `hazard` is never reviewed";
    RestrictionWidens = "CL0220", "restriction-would-widen-access", "A restriction's rule gives what the unrestricted record refuses",
"Placing a restriction never gives anyone more than the unrestricted record gives them: a
restricted record is first decided by the `unrestricted` block, and its refusal decides. A grant or
temporary access in a category that reaches someone the unrestricted record refuses therefore
never takes effect for them. The finding names such a subject; widen the `unrestricted` block if
they should have access, or narrow the rule.

    unrestricted { restriction exclude  deny edit to team management_information }
    category adoption \"Adoption\" { restriction universal  grant all to team management_information }
    # warning[CL0220]: rule `adoption.grant.1` would give `edit` to subjects the unrestricted record refuses";
    DisclosureSideChannel = "CL0230", "disclosure-side-channel", "A concealed category's refusal can be told apart",
"A category that does not disclose its title is concealed: a person it refuses must not be able
to tell which category the record carries. Their response must read as the generic refusal
(the view the policy gives, \"Access is refused.\", their line manager to contact), and two concealed
categories refusing the same person must show the same view. The check reads every refusal of
every category off the analysis's partitions, compares the evaluator's own responses field by
field, and names a person who could tell them apart.

    category mappa \"MAPPA\" { restriction universal  disclose contact  contact team qau \"the QAU\" }
    # warning[CL0230]: a refusal by `mappa` differs from a concealed refusal in `next_steps.contact`, so it identifies the category its title conceals";
    ExclusionTold = "CL0231", "exclusion-told", "An excluded person is told something no other refused person is",
"A person on a record's exclusion list (`named_deny`) is refused. Unless the category discloses
`exclusion`, they must not learn that they are named, or who asked for it: their response must
equal the response some other person refused by the category gets. A category that discloses
its `reason` gives other refused people a reason the excluded person is not given, which tells
them apart.

    category staff \"Staff conflict\" { restriction universal  disclose title, reason }
    # warning[CL0231]: a person on the exclusion list of a `staff` record is told something no other refused person is (`deny_kind`), so they learn that they are named";
    ReviewOutlastsRestriction = "CL0255", "review-outlasts-restriction", "A restriction ends before its first review falls due",
"A category reviewed `every` period whose restrictions last (`lasts`) no longer than that period
never has a review fall due while a restriction runs: each restriction ends, and must be renewed
or lifted, before anyone is asked to review it. Either the interval or the maximum is wrong;
review more often than a restriction lasts.

```text
category adoption {
  restriction universal
  lasts 3 months
  review every 6 months by owner   # CL0255
}
```";
    TriggerNeverHolds = "CL0245", "trigger-never-holds", "A trigger's or a never-restrict statement's condition can never hold",
"A condition over a record's facts holds for some record unless every alternative both requires
and excludes one fact (`adoption_plan and not adoption_plan`). A trigger that can never hold
requires nothing, and a `never restrict` that can never hold forbids nothing: both read as rules
and are not.

```text
trigger adoption when adoption_plan and not adoption_plan   # CL0245
```";
    TriggerForbidden = "CL0246", "trigger-forbidden", "A trigger requires a restriction that a never-restrict statement forbids",
"For some record's facts, a trigger requires a category that a `never restrict` statement says
the record may not carry: whatever is done with such a record breaks the policy. The finding
names the facts of such a record; narrow one of the two conditions.

```text
trigger adoption when adoption_plan
never restrict adoption when post_adoption_record   # CL0246: a record with both facts
```";
    TriggerExclusive = "CL0247", "trigger-requires-exclusive", "Triggers require two categories that may not be combined",
"For some record's facts, two triggers require categories that an `exclusive` statement says no
record may carry together. The finding names the facts of such a record.

```text
trigger adoption when adoption_plan
trigger post_adoption when adoption_order
exclusive adoption, post_adoption   # CL0247: a record with both facts
```";
    TestShape = "CL0301", "test-shape", "A test lacks a statement, or gives one twice",
"A test needs exactly one `subject`, `record`, `action`, `at` time and `expect`; it may give
any number of `temporary_grant`s. Without `at` a decision would depend on the day the test runs.

    test \"EDT keeps access\" {
      subject \"u-1\" teams emergency_duty organisation council
      record \"J1\" category adoption
      action view
      expect allow
    }
    # error[CL0301]: test `EDT keeps access` has no `at`";
    UnknownExpectation = "CL0302", "unknown-expectation", "A test expects a rule or obligation the policy does not have",
"Rule ids are `CATEGORY.grant.N`, `CATEGORY.deny.N` (numbered in source order),
`CATEGORY.temporary`, `CATEGORY.named_exclusion` and `CATEGORY.default`. A test that expects a rule
that does not exist could never pass; the runner says so instead of reporting a failure.

    expect allow rule adoption.grant.7
    # error[CL0302]: the policy has no rule `adoption.grant.7`
    # help: did you mean `adoption.grant.1`?";
    DuplicateTestName = "CL0303", "duplicate-test-name", "Two tests of a policy have the same name",
"A failure report and `caselock test --filter` name tests by name; two tests with one name make
both ambiguous.

    test \"EDT keeps access\" { ... }
    test \"EDT keeps access\" { ... }
    # warning[CL0303]: two tests are named `EDT keeps access`";
    TestUnknownName = "CL0304", "test-unknown-name", "A test names a role, team, organisation, category, action or kind of temporary access the policy does not declare",
"A request with a name the policy does not declare is refused before any rule is read (it fails
closed), so `expect deny` would pass for the wrong reason, and a misspelt team in a test would
never test the rule it was written for. `caselock check` reports it, so CI catches it. A test
that means to exercise the fail-closed refusal says so with `expect deny fails_closed REASON`.

    test \"EDT keeps access\" {
      subject \"u-1\" teams emergancy_duty organisation council
      record \"J1\" category adoption
      action view
      at 2026-06-01T10:00:00Z
      expect allow
    }
    # error[CL0304]: the test names an unknown team `emergancy_duty`";
}

/// The reference page `docs/diagnostics.md`, generated from this registry.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Diagnostics\n\nEvery diagnostic caselock reports has a stable code. `caselock rule CODE` prints the\n\
         same text in a terminal; `caselock rule --all` lists the codes. This page is generated from\n\
         `src/diag/codes.rs` (a test keeps it in sync: run `CASELOCK_BLESS=1 cargo test --test diagnostics`\n\
         after changing a code).\n\n| code | name | flags |\n| --- | --- | --- |\n",
    );
    for c in Code::ALL {
        out.push_str(&format!(
            "| [{0}](#{1}) | `{2}` | {3} |\n",
            c.as_str(),
            c.as_str().to_lowercase(),
            c.name(),
            c.summary()
        ));
    }
    for c in Code::ALL {
        out.push_str(&format!(
            "\n## {}\n\n`{}`: {}.\n\n",
            c.as_str(),
            c.name(),
            c.summary()
        ));
        let (prose, example) = split_example(c.doc());
        out.push_str(prose.trim());
        out.push('\n');
        if !example.is_empty() {
            out.push_str("\n```\n");
            for line in example.lines() {
                out.push_str(line.strip_prefix("    ").unwrap_or(line));
                out.push('\n');
            }
            out.push_str("```\n");
        }
    }
    out
}

/// Splits a doc into its prose and its indented example.
fn split_example(doc: &str) -> (String, &str) {
    match doc.find("\n\n    ") {
        Some(i) => {
            let example = &doc[i + 2..];
            (doc[..i].replace('\n', " "), example)
        }
        None => (doc.replace('\n', " "), ""),
    }
}
