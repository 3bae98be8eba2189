import { CONSULTATION_SCHEMA, OUTPUT_SCHEMAS } from './output-schemas';
import snapshot from './testing/provider-schemas.snapshot.json';

// The response formats providers received before the full schemas existed, recorded verbatim:
// what is sent to OpenAI and Anthropic must not change, key order included.
describe('provider response-format schemas', () => {
  it('are exactly the recorded ones', () => {
    expect(OUTPUT_SCHEMAS).toEqual(snapshot.OUTPUT_SCHEMAS);
    expect(JSON.stringify(OUTPUT_SCHEMAS)).toBe(JSON.stringify(snapshot.OUTPUT_SCHEMAS));
    expect(JSON.stringify(CONSULTATION_SCHEMA)).toBe(JSON.stringify(snapshot.CONSULTATION_SCHEMA));
  });
});
