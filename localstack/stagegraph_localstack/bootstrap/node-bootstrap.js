'use strict';
// stagegraph's Node.js runtime bootstrap: loads the handler named by _HANDLER from LAMBDA_TASK_ROOT and
// serves it through the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, as the Lambda Node.js runtime does
// (async and callback handlers, the context object, console lines with time, request id and level).
const http = require('http');
const path = require('path');
const url = require('url');
const util = require('util');

const [apiHost, apiPort] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const PREFIX = '/2018-06-01/runtime';
let currentRequestId;

function call(method, route, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = http.request(
      {
        host: apiHost,
        port: Number(apiPort),
        path: PREFIX + route,
        method,
        agent,
        headers: { ...headers, ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}) },
      },
      res => {
        const chunks = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf-8') }),
        );
      },
    );
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

// The function's log format (LoggingConfig): text lines, or JSON objects filtered by the application log level.
const JSON_FORMAT = process.env.AWS_LAMBDA_LOG_FORMAT === 'JSON';
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const MIN_LEVEL = Math.max(0, LEVELS.indexOf((process.env.AWS_LAMBDA_LOG_LEVEL ?? 'INFO').toUpperCase()));

function patchConsole() {
  const write =
    level =>
    (...args) => {
      if (JSON_FORMAT) {
        if (LEVELS.indexOf(level) < MIN_LEVEL) return;
        const line = {
          timestamp: new Date().toISOString(),
          level,
          requestId: currentRequestId ?? 'undefined',
          message: util.format(...args),
        };
        process.stdout.write(`${JSON.stringify(line)}\n`);
        return;
      }
      process.stdout.write(
        `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${util.format(...args).replace(/\n/g, '\r')}\n`,
      );
    };
  console.log = write('INFO');
  console.info = write('INFO');
  console.warn = write('WARN');
  console.error = write('ERROR');
  console.debug = write('DEBUG');
  console.trace = write('TRACE');
}

function errorJson(error) {
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    errorType: err.name && err.name !== 'Error' ? err.name : (err.constructor?.name ?? 'Error'),
    errorMessage: err.message,
    trace: (err.stack ?? '').split('\n'),
  };
}

async function loadHandler() {
  const spec = process.env._HANDLER ?? '';
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) {
    throw Object.assign(new Error(`Bad handler ${spec}: expected file.function`), {
      name: 'Runtime.MalformedHandlerName',
    });
  }
  const base = path.resolve(process.env.LAMBDA_TASK_ROOT, spec.slice(0, dot));
  let mod;
  const mjs = ['.mjs'].map(ext => base + ext).find(f => require('fs').existsSync(f));
  if (mjs) {
    mod = await import(url.pathToFileURL(mjs).href);
  } else {
    try {
      mod = require(base);
    } catch (e) {
      if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(base)) {
        throw Object.assign(new Error(`Cannot find module '${spec.slice(0, dot)}'`), {
          name: 'Runtime.ImportModuleError',
        });
      }
      if (e && e.code === 'ERR_REQUIRE_ESM') {
        mod = await import(url.pathToFileURL(require.resolve(base)).href);
      } else {
        throw e;
      }
    }
  }
  const fn = spec
    .slice(dot + 1)
    .split('.')
    .reduce((o, k) => (o == null ? undefined : o[k]), mod);
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${spec} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  }
  return fn;
}

function contextFor(headers, deadline) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(result);
    };
    context.done = done;
    context.succeed = result => done(null, result);
    context.fail = err => done(err ?? new Error('handled'));
    try {
      const returned = handler(event, context, done);
      if (returned && typeof returned.then === 'function') {
        returned.then(
          result => done(null, result),
          err => done(err ?? new Error('rejected')),
        );
      } else if (handler.length < 3) {
        done(null, returned);
      }
    } catch (e) {
      done(e);
    }
  });
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    const error = errorJson(e);
    console.error(`${error.errorType}: ${error.errorMessage}`);
    await call('POST', '/init/error', JSON.stringify(error), { 'Lambda-Runtime-Function-Error-Type': error.errorType });
    process.exit(1);
  }
  process.on('uncaughtException', async e => {
    const error = errorJson(e);
    console.error('Uncaught Exception', JSON.stringify(error));
    if (currentRequestId) {
      await call('POST', `/invocation/${currentRequestId}/error`, JSON.stringify(error), {
        'Lambda-Runtime-Function-Error-Type': 'Runtime.UncaughtException',
      }).catch(() => undefined);
    }
    process.exit(129);
  });
  for (;;) {
    const next = await call('GET', '/invocation/next');
    if (next.status !== 200) {
      process.exit(0);
    }
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'] ?? '';
    let event;
    try {
      event = next.body.length ? JSON.parse(next.body) : {};
    } catch {
      event = next.body;
    }
    try {
      const result = await runHandler(
        handler,
        event,
        contextFor(next.headers, Number(next.headers['lambda-runtime-deadline-ms'])),
      );
      await call('POST', `/invocation/${requestId}/response`, JSON.stringify(result === undefined ? null : result));
    } catch (e) {
      const error = errorJson(e);
      console.error('Invoke Error', JSON.stringify(error));
      await call('POST', `/invocation/${requestId}/error`, JSON.stringify(error), {
        'Lambda-Runtime-Function-Error-Type': error.errorType,
      });
    }
  }
}

main();
