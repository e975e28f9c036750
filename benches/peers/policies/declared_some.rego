# escr_fair.rego's declaration check: no role or team of the subject is undeclared.
package caselock.escr_fair

import rego.v1

undeclared if {
	some r in input.subject.roles
	not data.vocabulary.roles[r]
}

undeclared if {
	some t in input.subject.teams
	not data.vocabulary.teams[t]
}

declared_names if not undeclared
