// Preloaded (node --require) into helper servers that LocalStack starts as Node.js processes, such as
// kinesis-mock, which binds 0.0.0.0 with no setting to change it: every listen() without a host, or
// on a wildcard address, binds 127.0.0.1 instead, so nothing of the local cloud is reachable from the
// network.
'use strict';
const net = require('net');

const WILDCARDS = new Set([undefined, null, '', '0.0.0.0', '::', '[::]']);
const LOOPBACK = '127.0.0.1';
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function loopbackListen(...args) {
  const [first] = args;
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    if (first.path === undefined && first.handle === undefined && first.fd === undefined && WILDCARDS.has(first.host)) {
      args[0] = { ...first, host: LOOPBACK };
    }
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof args[1] !== 'string' || WILDCARDS.has(args[1])) {
      if (typeof args[1] === 'string') {
        args[1] = LOOPBACK;
      } else {
        args.splice(1, 0, LOOPBACK);
      }
    }
  }
  return listen.apply(this, args);
};
