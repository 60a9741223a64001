// Preloaded (node --require) into kinesis-mock, which LocalStack starts in a session of its own: when
// LocalStack is killed (kill -9, a crash), nothing stops kinesis-mock, which would go on rewriting the
// app's saved Kinesis state beside the kinesis-mock of the next `local up`. It exits once the process
// that started it is gone.
'use strict';
const fs = require('fs');

const parent = process.ppid;

function currentParent() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf-8');
    // Field 4, counted after the command name, which may hold spaces and parentheses.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    try {
      process.kill(parent, 0);
      return parent;
    } catch {
      return -1;
    }
  }
}

setInterval(() => {
  if (currentParent() !== parent) {
    process.exit(0);
  }
}, 500).unref();
