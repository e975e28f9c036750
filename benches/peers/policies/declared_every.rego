# escr_fair.rego's declaration check in `every` form: every role and team of the subject is
# declared. The same as declared_some.rego, and regorus 0.14.1's interpreter agrees; its RVM
# allows some requests whose subject has an undeclared role or team (BENCHMARKS.md).
package caselock.escr_fair

import rego.v1

declared_names if {
	every r in input.subject.roles {
		data.vocabulary.roles[r]
	}
	every t in input.subject.teams {
		data.vocabulary.teams[t]
	}
}
