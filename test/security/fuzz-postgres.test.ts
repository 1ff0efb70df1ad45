import { describe, it } from 'vitest';
import { announcePostgresSkip, dialects } from '../support/databases.ts';
import { describeFuzz } from './fuzz.ts';

// Every route of the built server fuzzed on PostgreSQL (the generators and checks are in fuzz.ts).
announcePostgresSkip();
if (dialects.includes('postgres')) describeFuzz('postgres');
else
  describe('V16.5.1 V1.2.1 V2.2.1 fuzzing every route [postgres]', () => it.skip('needs TEST_DATABASE_URL', () => {}));
