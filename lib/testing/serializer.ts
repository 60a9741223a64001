// The snapshot serializer as a module of its own, for `snapshotSerializers: ['stagegraph/testing/serializer']`.
import { templateSerializer } from './stable-template';

export = templateSerializer;
