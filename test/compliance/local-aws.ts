import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { RuleEvent } from '../../src/compliance/evaluate';

/**
 * A real HTTP endpoint for the compliance rule's handler: moto server (EC2, SSM, STS, Auto
 * Scaling) behind a small local proxy that
 * - records Config PutEvaluations (moto does not implement it) and answers like Config;
 * - records Lambda Invoke (the function continuing a sweep) and answers like Lambda does to
 *   an asynchronous invocation, without running anything;
 * - counts every call by service and operation;
 * - can answer a number of calls with a throttling or other error, or make Config report
 *   evaluations as failed, to exercise retries.
 */

const VENV_BIN = path.join(__dirname, '..', '..', '.venv', 'bin');
const MOTO_SERVER = path.join(VENV_BIN, 'moto_server');
export const REGION = 'eu-west-1';
/** moto's default account: the account the handler's own credentials belong to. */
export const OWN_ACCOUNT = '123456789012';

/** An AMI moto loads into every account (MOTO_AMIS_PATH), as AMIs shared from a factory account appear. */
export interface SeedAmi {
  readonly ami_id: string;
  readonly owner_id: string;
  readonly name: string;
  readonly creation_date: string;
  readonly state?: string;
}

export interface RecordedPut {
  readonly resultToken: string;
  readonly evaluations: Array<{
    ComplianceResourceType: string;
    ComplianceResourceId: string;
    ComplianceType: string;
    Annotation?: string;
    OrderingTimestamp: number;
  }>;
}

export interface RecordedInvoke {
  readonly functionName: string;
  readonly invocationType: string;
  readonly payload: RuleEvent;
}

interface Injection {
  remaining: number;
  readonly status: number;
  readonly code: string;
}

export class LocalAws {
  /**
   * Starts moto server on a free port and the proxy in front of it. `serverScript` runs a
   * Python script of the virtualenv in place of `moto_server` (same arguments).
   */
  public static async start(seedAmis: SeedAmi[] = [], serverScript?: string): Promise<LocalAws> {
    const motoPort = await freePort();
    const amisPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-moto-')), 'amis.json');
    fs.writeFileSync(amisPath, JSON.stringify(seedAmis.map(ami => ({
      state: 'available',
      public: false,
      image_location: `${ami.owner_id}/${ami.name}`,
      root_device_type: 'ebs',
      root_device_name: '/dev/xvda',
      image_type: 'machine',
      architecture: 'x86_64',
      virtualization_type: 'hvm',
      hypervisor: 'xen',
      description: ami.name,
      ...ami,
    }))));
    const [command, ...script] = serverScript ? [path.join(VENV_BIN, 'python'), serverScript] : [MOTO_SERVER];
    const moto = spawn(command, [...script, '-H', '127.0.0.1', '-p', String(motoPort)], {
      env: { ...process.env, MOTO_AMIS_PATH: amisPath, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    moto.stderr?.on('data', chunk => { stderr = (stderr + chunk).slice(-4000); });
    const local = new LocalAws(moto, `http://127.0.0.1:${motoPort}`);
    try {
      await waitFor(async () => (await request(`${local.motoUrl}/moto-api/`)).status === 200, 30_000, () => `moto server did not start: ${stderr}`);
      await local.listen();
    } catch (e) {
      await local.stop();
      throw e;
    }
    return local;
  }

  /** The proxy's URL: give it to the handler as AWS_ENDPOINT_URL. */
  public url = '';
  /** Calls through the proxy, by `service:Operation`. */
  public readonly calls = new Map<string, number>();
  /** Every PutEvaluations call Config "accepted", in order. */
  public readonly puts: RecordedPut[] = [];
  /** Every Lambda Invoke call, in order. */
  public readonly invocations: RecordedInvoke[] = [];
  /** The MaxResults each DescribeInstances call asked for (before any rewrite). */
  public readonly describeInstancesMaxResults: number[] = [];
  /**
   * Instances per reservation in moto. moto pages DescribeInstances by reservation, AWS by
   * instance: with several instances per reservation, MaxResults is divided by this so that a
   * page holds as many instances as on AWS (a benchmark seeds reservations of many instances).
   */
  public instancesPerReservation = 1;
  private readonly injections = new Map<string, Injection[]>();
  private failEvaluationsOnce = 0;
  private server?: http.Server;

  private constructor(private readonly moto: ChildProcess, public readonly motoUrl: string) {}

  /** Answers the next `times` calls of `operation` (`ec2:DescribeInstances`) with an error. */
  public inject(operation: string, times: number, code: string = 'Throttling', status: number = 400): void {
    const list = this.injections.get(operation) ?? [];
    list.push({ remaining: times, status, code });
    this.injections.set(operation, list);
  }

  /** Makes Config report the first `count` evaluations of the next PutEvaluations call as failed. */
  public failEvaluations(count: number): void {
    this.failEvaluationsOnce = count;
  }

  /** Forgets calls, recorded evaluations and injections (moto's state stays). */
  public clear(): void {
    this.calls.clear();
    this.puts.length = 0;
    this.invocations.length = 0;
    this.describeInstancesMaxResults.length = 0;
    this.injections.clear();
    this.failEvaluationsOnce = 0;
  }

  /** Empties moto (every account and region). */
  public async resetMoto(): Promise<void> {
    await request(`${this.motoUrl}/moto-api/reset`, 'POST');
    this.clear();
  }

  /** All recorded evaluations, flattened. */
  public evaluations(): RecordedPut['evaluations'] {
    return this.puts.flatMap(put => put.evaluations);
  }

  /** Calls through the proxy of one operation. */
  public count(operation: string): number {
    return this.calls.get(operation) ?? 0;
  }

  public async stop(): Promise<void> {
    await new Promise<void>(resolve => (this.server ? this.server.close(() => resolve()) : resolve()));
    if (this.moto.exitCode === null) {
      const exited = new Promise<void>(resolve => this.moto.once('exit', () => resolve()));
      this.moto.kill('SIGTERM');
      const timer = setTimeout(() => this.moto.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  }

  private async listen(): Promise<void> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', chunk => chunks.push(chunk));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        const operation = operationOf(req, body);
        if (operation === 'ec2:DescribeInstances') {
          const text = body.toString('utf8');
          const max = /(?:^|&)MaxResults=(\d+)/.exec(text);
          if (max) {
            this.describeInstancesMaxResults.push(Number(max[1]));
            const perPage = Math.max(1, Math.floor(Number(max[1]) / this.instancesPerReservation));
            body = Buffer.from(text.replace(/(^|&)MaxResults=\d+/, `$1MaxResults=${perPage}`));
            req.headers['content-length'] = String(body.length);
          }
        }
        this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
        // Lambda speaks JSON whatever the payload's content type.
        const json = String(req.headers['content-type'] ?? '').includes('json') || operation.startsWith('lambda:');
        const injection = this.injections.get(operation)?.find(i => i.remaining > 0);
        if (injection) {
          injection.remaining--;
          sendError(res, injection, json, operation.startsWith('ec2:'));
          return;
        }
        if (operation === 'config:PutEvaluations') {
          this.putEvaluations(body, res);
          return;
        }
        if (operation === 'lambda:Invoke') {
          this.invoke(req, body, res);
          return;
        }
        const upstream = http.request(`${this.motoUrl}${req.url}`, { method: req.method, headers: req.headers, agent }, answer => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', e => {
          res.writeHead(502);
          res.end(String(e));
        });
        upstream.end(body);
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  private invoke(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    this.invocations.push({
      functionName: decodeURIComponent(INVOKE_PATH.exec(req.url ?? '')![1]),
      invocationType,
      payload: JSON.parse(body.toString('utf8')),
    });
    // An asynchronous invocation is accepted with 202 and no payload.
    res.writeHead(invocationType === 'Event' ? 202 : 200, { 'content-type': 'application/json' });
    res.end(invocationType === 'Event' ? '' : 'null');
  }

  private putEvaluations(body: Buffer, res: http.ServerResponse): void {
    const input = JSON.parse(body.toString('utf8'));
    const evaluations = input.Evaluations ?? [];
    if (evaluations.length > 100 || typeof input.ResultToken !== 'string') {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'InvalidParameterValueException', message: `${evaluations.length} evaluations or no ResultToken` }));
      return;
    }
    const failed = evaluations.slice(0, this.failEvaluationsOnce);
    this.failEvaluationsOnce = 0;
    this.puts.push({ resultToken: input.ResultToken, evaluations: evaluations.slice(failed.length) });
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ FailedEvaluations: failed }));
  }
}

/** `service:Operation` of a request, for any of the protocols the clients use. */
function operationOf(req: http.IncomingMessage, body: Buffer): string {
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? 'unknown';
  if (service === 'lambda' && INVOKE_PATH.test(req.url ?? '')) return 'lambda:Invoke';
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return `${service}:${target.split('.').pop()}`;
  const rpc = /\/operation\/([A-Za-z]+)/.exec(req.url ?? '');
  if (rpc) return `${service}:${rpc[1]}`;
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString('utf8')) ?? /[?&]Action=([A-Za-z]+)/.exec(req.url ?? '');
  return `${service}:${action?.[1] ?? `${req.method} ${req.url}`}`;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/?]+)\/invocations/;

function sendError(res: http.ServerResponse, injection: Injection, json: boolean, ec2: boolean): void {
  if (json) {
    res.writeHead(injection.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': injection.code });
    res.end(JSON.stringify({ __type: injection.code, message: `injected ${injection.code}` }));
    return;
  }
  res.writeHead(injection.status, { 'content-type': 'text/xml' });
  const message = `injected ${injection.code}`;
  res.end(ec2
    ? `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${injection.code}</Code><Message>${message}</Message></Error></Errors><RequestID>injected</RequestID></Response>`
    : `<ErrorResponse><Error><Type>Sender</Type><Code>${injection.code}</Code><Message>${message}</Message></Error><RequestId>injected</RequestId></ErrorResponse>`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function request(url: string, method: string = 'GET'): Promise<{ status: number }> {
  return new Promise(resolve => {
    const req = http.request(url, { method, timeout: 2000 }, res => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', () => resolve({ status: 0 }));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  throw new Error(message());
}
