import { checkApiCompatibility } from '../../infra/src/api-docs';

// The breaking-change gate on the committed documents: docs/openapi.json and docs/asyncapi.json against the last
// released ones in docs/released/ (Redocly's diff). A breaking change passes only with the next major version
// (README.md, "For integrators"); test/api/api-gate.unit.test.ts shows the gate failing and passing on purpose.
describe('committed API documents against the released ones', () => {
  it('carry no breaking change unless their major version went up', () => {
    for (const verdict of checkApiCompatibility()) {
      // A failure names the breaking changes of the document it is about.
      const breaking = verdict.changes.filter((change) => change.impact === 'major');
      expect({ document: verdict.current, ok: verdict.ok, breaking }).toEqual({
        document: verdict.current,
        ok: true,
        breaking: verdict.ok ? breaking : [],
      });
    }
  });
});
