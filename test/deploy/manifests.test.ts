/**
 * deploy/kubernetes: every manifest is valid against the Kubernetes API schemas (kubernetes-models), and its
 * ports, env names, probe paths, grace period and concurrency arithmetic agree with the server (src/config.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { MAX_CONCURRENCY, SETTINGS } from '../../src/config.js';

const DIR = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));
const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** The Kubernetes kinds deploy/kubernetes may hold, each with its schema-validating model. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

// YAML documents, read by path: the schemas are checked by the models, the values by the assertions.
type Doc = Record<string, any>;

function setting(env: string) {
  const s = SETTINGS.find((x) => 'env' in x && x.env === env);
  if (!s) throw new Error(`no setting with env ${env}`);
  return s;
}
const ENV_NAMES = new Set(SETTINGS.flatMap((s) => ('env' in s && s.env ? [s.env] : [])));
const SECRET_ENVS = SETTINGS.flatMap((s) => ('secret' in s && s.secret && 'env' in s && s.env ? [s.env] : []));

function readDocs(file: string): Doc[] {
  return parseAllDocuments(readFileSync(DIR + file, 'utf8')).map((d) => {
    if (d.errors.length) throw new Error(`${file}: ${d.errors[0]!.message}`);
    return d.toJS() as Doc;
  });
}

const kustomization = readDocs('kustomization.yaml')[0]!;
const files = (kustomization.resources as string[]) ?? [];
const docs = files.flatMap((f) => readDocs(f).map((doc) => ({ file: f, doc })));
function only(kind: string): Doc {
  const found = docs.filter((d) => d.doc.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!.doc;
}
const deployment = only('Deployment');
const configMap = only('ConfigMap');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
/** What the ConfigMap sets, and what it offers in comments (`# CLUVIO_…: value`) for the operator to switch on. */
const configMapText = readFileSync(DIR + 'configmap.yaml', 'utf8');
const offered = [...configMapText.matchAll(/^\s*#\s*(CLUVIO_[A-Z0-9_]+):/gm)].map((m) => m[1]!);
const envValue = (name: string): string | undefined => (container.env as Doc[]).find((e) => e.name === name)?.value ?? configMap.data[name];

describe('deploy/kubernetes', () => {
  it('kustomization.yaml lists every manifest of the folder', () => {
    const yamls = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...files].sort()).toEqual(yamls.sort());
    expect(docs.map((d) => d.doc.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service']);
  });

  it('every manifest is valid against the Kubernetes schemas', () => {
    for (const { file, doc } of docs) {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect(Model, `${file}: ${doc.apiVersion} ${doc.kind}`).toBeDefined();
      expect(() => new Model!(doc as never).validate(), file).not.toThrow();
    }
  });

  it('the schema check is real: a port given as text or a probe without its handler is refused', () => {
    const badPort = structuredClone(deployment);
    badPort.spec.template.spec.containers[0].ports[0].containerPort = '8765';
    expect(() => new Deployment(badPort).validate()).toThrow(/containerPort must be integer/);
    const badHpa = structuredClone(only('HorizontalPodAutoscaler'));
    delete badHpa.spec.maxReplicas;
    expect(() => new HorizontalPodAutoscaler(badHpa).validate()).toThrow(/maxReplicas/);
  });

  it('names only variables the server reads, secrets only from Secrets', () => {
    const named = [...(container.env as Doc[]).map((e) => e.name as string), ...Object.keys(configMap.data), ...offered];
    expect(named.filter((n) => !ENV_NAMES.has(n)), 'variables that no setting of src/config.ts reads').toEqual([]);
    expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
    // Every secret setting comes from the Secret (never a literal value, never the ConfigMap).
    expect(SECRET_ENVS.sort()).toEqual(['CLUVIO_API_KEY', 'CLUVIO_CONFIRM_SECRET', 'CLUVIO_MCP_AUTH_TOKEN']);
    for (const name of SECRET_ENVS) {
      const entry = (container.env as Doc[]).find((e) => e.name === name);
      expect(entry?.valueFrom?.secretKeyRef?.name, name).toBe('cluvio-mcp');
      expect(entry?.value, name).toBeUndefined();
      expect(Object.keys(configMap.data), name).not.toContain(name);
      expect(offered, name).not.toContain(name);
    }
    expect((container.env as Doc[]).find((e) => e.name === 'CLUVIO_CONFIRM_SECRET')?.valueFrom.secretKeyRef.optional).toBeUndefined();
  });

  it('offers the OAuth, keys-file and metrics settings agreed for #17, the keys file where the Secret is mounted', () => {
    expect(offered).toEqual(
      expect.arrayContaining(['CLUVIO_MCP_OAUTH_ISSUER', 'CLUVIO_MCP_OAUTH_AUDIENCE', 'CLUVIO_MCP_OAUTH_JWKS_URL', 'CLUVIO_MCP_KEYS_FILE', 'CLUVIO_MCP_KEYS_CLAIM', 'CLUVIO_MCP_METRICS', 'CLUVIO_MCP_METRICS_PORT']),
    );
    expect(configMapText).toMatch(/^\s*#\s*CLUVIO_MCP_KEYS_FILE: \/etc\/cluvio-mcp\/keys\.json$/m);
    const mount = (container.volumeMounts as Doc[]).find((m) => m.mountPath === '/etc/cluvio-mcp');
    const volume = (pod.volumes as Doc[]).find((v) => v.name === mount?.name);
    expect(volume?.secret).toEqual({ secretName: 'cluvio-mcp-keys', optional: true, items: [{ key: 'keys.json', path: 'keys.json' }] });
    expect(mount?.readOnly).toBe(true);
  });

  it('the README tells what to put in each Secret the manifests read', () => {
    const refs = (container.env as Doc[]).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef as { name: string; key: string }] : []));
    expect(refs.length).toBe(3);
    // Shell lines with their continuations joined.
    const commands = [...README.replace(/\\\n\s*/g, ' ').matchAll(/^kubectl create secret generic (\S+) (.*)$/gm)].map((m) => ({ name: m[1]!, text: m[2]! }));
    for (const { name, key } of refs) {
      expect(commands.some((c) => c.name === name && c.text.includes(`--from-literal=${key}=`)), `README: kubectl create secret generic ${name} … --from-literal=${key}=`).toBe(true);
    }
    expect(commands.some((c) => c.name === 'cluvio-mcp-keys' && c.text.includes('--from-file=keys.json=')), 'README: kubectl create secret generic cluvio-mcp-keys --from-file=keys.json=…').toBe(true);
  });

  it('listens on the default port, stateless, with the probes on the paths the server answers', () => {
    const port = setting('CLUVIO_MCP_PORT').default as number;
    expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
    expect(envValue('CLUVIO_MCP_PORT')).toBe(String(port));
    expect(envValue('CLUVIO_MCP_TRANSPORT')).toBe('http');
    expect(envValue('CLUVIO_MCP_HOST')).toBe('0.0.0.0');
    expect(container.args).toEqual(['--stateless']);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    // /readyz waits up to 5 s for Cluvio: the probe must wait longer.
    expect(container.readinessProbe.timeoutSeconds).toBeGreaterThan(5);
    const service = only('Service');
    expect(service.spec.ports).toEqual([{ name: 'http', port, targetPort: 'http' }]);
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
  });

  it('gives running calls their shutdown grace: terminationGracePeriodSeconds covers preStop and CLUVIO_MCP_SHUTDOWN_GRACE_SECONDS', () => {
    const configured = envValue('CLUVIO_MCP_SHUTDOWN_GRACE_SECONDS');
    const graceSeconds = configured === undefined ? (setting('CLUVIO_MCP_SHUTDOWN_GRACE_SECONDS').default as number) / 1000 : Number(configured);
    expect(graceSeconds).toBeGreaterThanOrEqual((setting('CLUVIO_MCP_SHUTDOWN_GRACE_SECONDS').default as number) / 1000);
    const preStop = container.lifecycle.preStop.sleep.seconds as number;
    expect(preStop).toBeGreaterThan(0);
    // The margin: cancelling what is left in Cluvio (up to 2 s) and exiting.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + graceSeconds + 5);
  });

  it('runs as non-root with a read-only root filesystem and no privileges', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
  });

  it('keeps every pod that can run at once within Cluvio’s limit of 20 queries per datasource', () => {
    const hpa = only('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    const perPod = Number(envValue('CLUVIO_MAX_CONCURRENCY') ?? setting('CLUVIO_MAX_CONCURRENCY').default);
    const surge = deployment.spec.strategy.rollingUpdate.maxSurge as number;
    expect((hpa.spec.maxReplicas + surge) * perPod).toBeLessThanOrEqual(MAX_CONCURRENCY);
    expect(MAX_CONCURRENCY).toBe(20);
    // The HPA owns the count.
    expect(deployment.spec.replicas).toBeUndefined();
    const pdb = only('PodDisruptionBudget');
    expect(pdb.spec.selector).toEqual(deployment.spec.selector);
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
  });
});
