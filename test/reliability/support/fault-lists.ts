/** The faults the matrix injects (mock server fault specs, see FAULT_SPEC_HELP), and the films it renders. */
import type { FaultScenario, FilmShape } from './scenario.js';

export const SHAPE: FilmShape = { scenes: 2 };
/** Five scenes, two of them multi-shot (6 s clips): a film whose clips differ. */
export const MIXED_SHAPE: FilmShape = { scenes: 5, multiShot: [1, 3] };

export const SINGLE_FAULTS: FaultScenario[] = [
  { name: '429-no-retry-after', faults: ['api:429:rate=0.3'], ...SHAPE },
  { name: '429-retry-after-seconds', faults: ['api:429:retry-after=1:next=2'], ...SHAPE },
  { name: '429-retry-after-date', faults: ['status:429:retry-after-date=1:next=1'], ...SHAPE },
  { name: '500', faults: ['api:500:rate=0.25'], ...SHAPE },
  { name: '502', faults: ['api:502:rate=0.25'], ...SHAPE },
  { name: '503', faults: ['api:503:rate=0.25'], ...SHAPE },
  { name: 'connection-reset', faults: ['api:reset:rate=0.2'], ...SHAPE },
  { name: 'media-reset', faults: ['media:reset:next=2'], ...SHAPE },
  { name: 'truncated-download', faults: ['media:truncate:next=3'], ...SHAPE },
  { name: 'expired-link', faults: ['media:expired:next=3'], ...SHAPE },
  { name: 'failed-generation', faults: ['generation:fail:next=1'], ...SHAPE },
  { name: 'cancelled-generation', faults: ['generation:cancel:next=1'], ...SHAPE },
  { name: 'malformed-json', faults: ['status:malformed:rate=0.3', 'submit:malformed:next=1'], ...SHAPE },
  { name: 'unexpected-shape', faults: ['result:unexpected:rate=0.3', 'submit:unexpected:next=1'], ...SHAPE },
  {
    name: 'error-200-transient',
    faults: ['status:error-200:code=503001:rate=0.3', 'submit:error-200:code=429001:next=1'],
    ...SHAPE,
  },
  { name: 'error-200-balance', faults: ['result:error-200:next=1'], ...SHAPE },
  { name: 'not-found-in-run', faults: ['status:not-found:rate=0.3', 'result:not-found:rate=0.3'], ...SHAPE },
];

export const ALL_TOGETHER: string[] = [
  'api:429:rate=0.05:retry-after=1',
  'api:429:rate=0.03',
  'api:500:rate=0.03',
  'api:502:rate=0.03',
  'api:503:rate=0.05',
  'api:reset:rate=0.03',
  'status:malformed:rate=0.03',
  'result:unexpected:rate=0.03',
  'status:error-200:code=503001:rate=0.03',
  'status:not-found:rate=0.03',
  'result:not-found:rate=0.03',
  'media:truncate:rate=0.1',
  'media:expired:rate=0.1',
  'media:reset:rate=0.05',
  'generation:fail:rate=0.1',
  'generation:cancel:rate=0.05',
];
