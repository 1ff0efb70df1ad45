import { describeFuzz } from './fuzz.ts';

// Every route of the built server fuzzed on SQLite (the generators and checks are in fuzz.ts).
describeFuzz('sqlite');
