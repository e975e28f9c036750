//! A proptest strategy for random policy texts that parse: every construct of the language, with
//! random spacing, line breaks and comments between any two tokens.

use proptest::collection::vec;
use proptest::prelude::*;

type Tokens = Vec<String>;

fn one(s: &str) -> Tokens {
    vec![s.to_string()]
}

/// Joins token lists with `sep` between them.
fn joined(parts: Vec<Tokens>, sep: &str) -> Tokens {
    let mut out = Vec::new();
    for (i, p) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push(sep.to_string());
        }
        out.extend(p);
    }
    out
}

fn cat(parts: Vec<Tokens>) -> Tokens {
    parts.into_iter().flatten().collect()
}

fn maybe(t: Option<Tokens>) -> Tokens {
    t.unwrap_or_default()
}

/// Names start with `n_`, so they are never keywords.
fn ident() -> impl Strategy<Value = String> + Clone {
    "n_[a-z0-9_]{0,5}"
}

fn ident_t() -> impl Strategy<Value = Tokens> + Clone {
    ident().prop_map(|i| vec![i])
}

/// A string literal whose value may hold quotes, backslashes, `#` and braces.
fn string() -> impl Strategy<Value = Tokens> + Clone {
    "[a-zA-Z0-9 #{},.'\"\\\\-]{0,16}".prop_map(|v| {
        let escaped = v.replace('\\', "\\\\").replace('"', "\\\"");
        vec![format!("\"{escaped}\"")]
    })
}

fn idents() -> impl Strategy<Value = Tokens> + Clone {
    vec(ident_t(), 1..4).prop_map(|v| joined(v, ","))
}

fn duration() -> impl Strategy<Value = Tokens> + Clone {
    (
        1u32..2000,
        prop::sample::select(vec![
            "h",
            "d",
            "w",
            "days",
            "weeks",
            "months",
            "working_days",
        ]),
        0usize..3,
    )
        .prop_map(|(n, unit, spaces)| vec![format!("{n}{}{unit}", " ".repeat(spaces))])
}

/// A real calendar date: the parser refuses `2000-13-00` (CL0002), as it does other malformed
/// literals.
fn date() -> impl Strategy<Value = String> + Clone {
    "20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
}

fn atom() -> impl Strategy<Value = Tokens> + Clone {
    prop_oneof![
        ident_t(),
        (
            prop::sample::select(vec![
                "role",
                "team",
                "person",
                "organisation",
                "group",
                "board"
            ]),
            ident()
        )
            .prop_map(|(k, i)| vec![k.to_string(), i]),
        ident().prop_map(|i| vec![i, "organisations".to_string()]),
        prop::sample::select(vec!["allocated_worker", "owner", "named_deny", "everyone"])
            .prop_map(one),
    ]
}

fn subjects() -> impl Strategy<Value = Tokens> + Clone {
    // A context atom (`n_network n_ncc`) stands only in subject lists, not in approval chains.
    let atom = prop_oneof![
        4 => atom(),
        1 => (ident(), ident()).prop_map(|(c, v)| vec![c, v]),
    ];
    let literal =
        (any::<bool>(), atom).prop_map(|(not, a)| if not { cat(vec![one("not"), a]) } else { a });
    let term = vec(literal, 1..3).prop_map(|v| joined(v, "and"));
    vec(term, 1..5).prop_map(|v| joined(v, ","))
}

/// One approver: atoms joined by `and`.
fn approver() -> impl Strategy<Value = Tokens> + Clone {
    vec(atom(), 1..3).prop_map(|v| joined(v, "and"))
}

fn step() -> impl Strategy<Value = Tokens> + Clone {
    vec(approver(), 1..3).prop_map(|v| joined(v, "or"))
}

fn chain() -> impl Strategy<Value = Tokens> + Clone {
    vec(step(), 1..4).prop_map(|v| joined(v, "->"))
}

fn requires() -> impl Strategy<Value = Tokens> + Clone {
    proptest::option::of(idents()).prop_map(|r| maybe(r.map(|r| cat(vec![one("requires"), r]))))
}

fn approve() -> impl Strategy<Value = Tokens> + Clone {
    let how = prop_oneof![
        chain().prop_map(|c| cat(vec![one("by"), c])),
        ident_t().prop_map(|i| cat(vec![one("via"), i])),
        string().prop_map(|s| cat(vec![one("unstated"), s])),
    ];
    (idents(), how).prop_map(|(p, h)| cat(vec![one("approve"), p, h]))
}

/// A `review` statement, of a category or a flag.
fn review() -> impl Strategy<Value = Tokens> + Clone {
    let by = proptest::option::of(chain()).prop_map(|c| maybe(c.map(|c| cat(vec![one("by"), c]))));
    prop_oneof![
        (duration(), by.clone()).prop_map(|(d, b)| cat(vec![one("review"), one("every"), d, b])),
        proptest::option::of(string()).prop_map(|s| cat(vec![
            one("review"),
            one("never"),
            maybe(s)
        ])),
        (string(), by).prop_map(|(s, b)| cat(vec![one("review"), one("until"), s, b])),
        string().prop_map(|s| cat(vec![one("review"), one("unstated"), s])),
    ]
}

/// A statement of a `flag` block.
fn flag_statement() -> impl Strategy<Value = Tokens> + Clone {
    prop_oneof![string().prop_map(|s| cat(vec![one("warns"), s])), review(),]
}

fn statement() -> impl Strategy<Value = Tokens> + Clone {
    prop_oneof![
        string().prop_map(|s| cat(vec![one("criteria"), s])),
        ident_t().prop_map(|i| cat(vec![one("restriction"), i])),
        (idents(), subjects(), requires()).prop_map(|(a, s, r)| cat(vec![
            one("grant"),
            a,
            one("to"),
            s,
            r
        ])),
        (
            idents(),
            subjects(),
            any::<bool>(),
            proptest::option::of(ident_t())
        )
            .prop_map(|(a, s, abs, shows)| {
                let abs = if abs { one("absolute") } else { Vec::new() };
                let shows = maybe(shows.map(|v| cat(vec![one("shows"), v])));
                cat(vec![one("deny"), a, one("to"), s, abs, shows])
            }),
        review(),
        idents().prop_map(|i| cat(vec![one("use"), i])),
        idents().prop_map(|i| cat(vec![one("protects"), i])),
        idents().prop_map(|i| cat(vec![one("reaches"), i])),
        ident_t().prop_map(|i| cat(vec![one("denied_view"), i])),
        vec(
            (ident_t(), proptest::option::of(string())).prop_map(|(i, s)| cat(vec![i, maybe(s)])),
            1..4
        )
        .prop_map(|items| cat(vec![one("disclose"), joined(items, ",")])),
        (
            proptest::option::of((ident_t(), proptest::option::of(string()))),
            idents(),
            duration(),
            proptest::option::of(subjects()),
            step(),
            (
                proptest::option::of(0u32..5),
                proptest::option::of(duration())
            ),
            requires()
        )
            .prop_map(|(kind, a, d, to, s, (renewable, notify), r)| {
                let kind = maybe(kind.map(|(k, t)| cat(vec![k, maybe(t)])));
                let to = maybe(to.map(|t| cat(vec![one("to"), t])));
                let renewable =
                    maybe(renewable.map(|n| vec!["renewable".to_string(), n.to_string()]));
                let notify = maybe(notify.map(|n| cat(vec![one("notify"), n])));
                cat(vec![
                    one("temporary"),
                    kind,
                    a,
                    one("for"),
                    d,
                    to,
                    one("approved_by"),
                    s,
                    renewable,
                    notify,
                    r,
                ])
            }),
        (atom(), proptest::option::of(string())).prop_map(|(a, s)| cat(vec![
            one("contact"),
            a,
            maybe(s)
        ])),
        approve(),
        (
            duration(),
            proptest::option::of(0u32..5),
            proptest::option::of(duration())
        )
            .prop_map(|(d, renewable, notify)| {
                let renewable =
                    maybe(renewable.map(|n| vec!["renewable".to_string(), n.to_string()]));
                let notify = maybe(notify.map(|n| cat(vec![one("notify"), n])));
                cat(vec![one("lasts"), d, renewable, notify])
            }),
    ]
}

/// A grant or a deny: the statements a `rules` block holds.
fn rule_statement() -> impl Strategy<Value = Tokens> + Clone {
    (any::<bool>(), idents(), subjects()).prop_map(|(grant, a, s)| {
        cat(vec![
            one(if grant { "grant" } else { "deny" }),
            a,
            one("to"),
            s,
        ])
    })
}

fn block(head: Tokens, body: Vec<Tokens>) -> Tokens {
    cat(vec![
        head,
        one("{"),
        body.into_iter().flatten().collect(),
        one("}"),
    ])
}

fn retention_statement() -> impl Strategy<Value = Tokens> + Clone {
    prop_oneof![
        (duration(), vec(ident_t(), 1..4)).prop_map(|(d, a)| cat(vec![
            one("keep"),
            d,
            one("from"),
            joined(a, "or")
        ])),
        Just(vec!["keep".to_string(), "permanently".to_string()]),
        (ident_t(), proptest::option::of(string())).prop_map(|(a, s)| cat(vec![
            one("then"),
            a,
            maybe(s)
        ])),
        (ident_t(), ident_t(), proptest::option::of(string())).prop_map(|(f, a, s)| cat(vec![
            one("unless"),
            f,
            one("then"),
            a,
            maybe(s)
        ])),
        string().prop_map(|s| cat(vec![one("criteria"), s])),
    ]
}

fn test_value() -> impl Strategy<Value = Tokens> + Clone {
    prop_oneof![
        string(),
        ident_t(),
        "n_[a-z]{1,3}\\.[a-z]{1,5}\\.[0-9]".prop_map(|s| vec![s]),
        date().prop_map(|d| vec![d]),
        date().prop_map(|d| vec![format!("{d}T10:00:00Z")]),
        duration(),
    ]
}

fn fields() -> impl Strategy<Value = Tokens> + Clone {
    let field =
        (ident_t(), vec(test_value(), 1..3)).prop_map(|(k, v)| cat(vec![k, joined(v, ",")]));
    vec(field, 0..4).prop_map(|f| f.into_iter().flatten().collect())
}

fn test_statement() -> impl Strategy<Value = Tokens> + Clone {
    prop_oneof![
        (string(), fields()).prop_map(|(s, f)| cat(vec![one("subject"), s, f])),
        (string(), fields()).prop_map(|(s, f)| cat(vec![one("record"), s, f])),
        (ident_t(), fields()).prop_map(|(i, f)| cat(vec![one("restriction"), i, f])),
        (string(), fields()).prop_map(|(s, f)| cat(vec![one("linked_record"), s, f])),
        ident_t().prop_map(|i| cat(vec![one("action"), i])),
        fields().prop_map(|f| cat(vec![one("context"), f])),
        date().prop_map(|d| vec!["at".to_string(), format!("{d}T09:30:00Z")]),
        fields().prop_map(|f| cat(vec![one("temporary_grant"), f])),
        (string(), fields()).prop_map(|(s, f)| cat(vec![one("acting_for"), s, f])),
        (ident_t(), fields()).prop_map(|(i, f)| cat(vec![one("expect"), i, f])),
    ]
}

fn decl_entry() -> impl Strategy<Value = Tokens> + Clone {
    (
        ident_t(),
        proptest::option::of(string()),
        proptest::option::of(ident_t()),
        proptest::option::of(string()),
    )
        .prop_map(|(n, t, p, id)| {
            let p = maybe(p.map(|p| cat(vec![one("in"), p])));
            let id = maybe(id.map(|i| cat(vec![one("id"), i])));
            cat(vec![n, maybe(t), p, id])
        })
}

fn item() -> impl Strategy<Value = Tokens> {
    let titled = |kw: &'static str| {
        (ident_t(), proptest::option::of(string()))
            .prop_map(move |(n, t)| cat(vec![one(kw), n, maybe(t)]))
    };
    prop_oneof![
        vec(string(), 1..3).prop_map(|s| cat(vec![one("source"), joined(s, ",")])),
        idents().prop_map(|i| cat(vec![one("systems"), i])),
        date().prop_map(|d| vec!["updated".to_string(), d]),
        (
            prop::sample::select(vec![
                "action", "section", "link", "role", "team", "person", "fact"
            ]),
            vec(decl_entry(), 1..4)
        )
            .prop_map(|(k, e)| cat(vec![one(k), joined(e, ",")])),
        vec(
            (ident_t(), proptest::option::of(string()), ident_t()).prop_map(|(n, t, k)| cat(vec![
                n,
                maybe(t),
                k
            ])),
            1..3
        )
        .prop_map(|e| cat(vec![one("organisation"), joined(e, ",")])),
        (titled("group"), subjects()).prop_map(|(h, s)| cat(vec![h, one("="), s])),
        (titled("board"), vec(approver(), 1..3)).prop_map(|(h, m)| cat(vec![
            h,
            one("="),
            joined(m, ",")
        ])),
        (
            titled("context"),
            vec(
                (ident_t(), proptest::option::of(string()))
                    .prop_map(|(v, t)| cat(vec![v, maybe(t)])),
                1..4
            )
        )
            .prop_map(|(h, v)| cat(vec![h, one("="), joined(v, ",")])),
        (ident_t(), string()).prop_map(|(n, s)| cat(vec![one("obligation"), n, s])),
        (titled("escalation"), chain()).prop_map(|(h, c)| cat(vec![h, one("="), c])),
        approve(),
        (duration(), step()).prop_map(|(d, s)| cat(vec![
            one("acting"),
            one("for"),
            one("up"),
            one("to"),
            d,
            one("approved_by"),
            s
        ])),
        vec(statement(), 0..4).prop_map(|s| block(one("unrestricted"), s)),
        (titled("category"), vec(statement(), 0..6)).prop_map(|(h, s)| block(h, s)),
        (titled("rules"), vec(rule_statement(), 0..3)).prop_map(|(h, s)| block(h, s)),
        idents().prop_map(|i| cat(vec![one("use"), i])),
        (titled("flag"), vec(flag_statement(), 0..3)).prop_map(|(h, s)| block(h, s)),
        // Rules about restrictions: a condition is written as subjects are.
        (ident_t(), subjects(), proptest::option::of(string())).prop_map(|(c, s, r)| cat(vec![
            one("trigger"),
            c,
            one("when"),
            s,
            maybe(r)
        ])),
        string().prop_map(|r| cat(vec![one("trigger"), one("never"), r])),
        (
            proptest::option::of(idents()),
            subjects(),
            proptest::option::of(string())
        )
            .prop_map(|(c, s, r)| cat(vec![
                one("never"),
                one("restrict"),
                maybe(c),
                one("when"),
                s,
                maybe(r)
            ])),
        (idents(), proptest::option::of(string())).prop_map(|(c, r)| cat(vec![
            one("exclusive"),
            c,
            maybe(r)
        ])),
        (titled("retention"), vec(retention_statement(), 0..4)).prop_map(|(h, s)| block(h, s)),
        (string(), vec(test_statement(), 0..4))
            .prop_map(|(n, s)| block(cat(vec![one("test"), n]), s)),
    ]
}

fn header() -> impl Strategy<Value = Tokens> {
    (ident_t(), string(), proptest::option::of(1u32..100)).prop_map(|(n, t, v)| {
        let v = maybe(v.map(|v| vec!["version".to_string(), v.to_string()]));
        cat(vec![one("policy"), n, t, v])
    })
}

/// What goes between two tokens: spaces, line breaks, blank lines or comments.
fn separator(choice: u8, i: usize) -> String {
    match choice {
        0..=8 => " ".to_string(),
        9 | 10 => "\n".to_string(),
        11 => "   ".to_string(),
        12 => "\n\n".to_string(),
        13 => "\n\n\n  ".to_string(),
        14 => format!(" # trailing {i} \"with\" # marks  \n"),
        15 => format!("\n# own line {i}\n"),
        16 => format!("\n    # indented {i}\n\n"),
        17 => "\t".to_string(),
        _ => "\r\n".to_string(),
    }
}

/// A random policy text that parses.
pub fn policy_text() -> impl Strategy<Value = String> {
    (
        proptest::option::of(header()),
        vec(item(), 0..8),
        proptest::bool::ANY,
        vec(0u8..20, 64),
    )
        .prop_map(|(h, items, end, seps)| {
            let end = end.then(|| one("end"));
            let tokens: Tokens = cat(vec![
                maybe(h),
                items.into_iter().flatten().collect(),
                maybe(end),
            ]);
            let mut text = String::new();
            for (i, t) in tokens.iter().enumerate() {
                text.push_str(&separator(seps[i % seps.len()], i));
                text.push_str(t);
            }
            text.push_str(&separator(seps[tokens.len() % seps.len()], tokens.len()));
            text
        })
}
