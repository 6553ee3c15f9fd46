// Evaluates IAM requests against a set of policies with @cloud-copilot/iam-simulate, an IAM
// simulator that CauseFlow did not write, so the session policy tests do not only compare JSON.
//
// Reads one JSON object on stdin:
//   {
//     "principal": "arn:aws:sts::123456789012:assumed-role/ROLE/SESSION",   (optional)
//     "identity_policies": [ <policy document or its JSON string>, ... ],
//     "session_policy": <policy document or its JSON string>,               (optional)
//     "requests": [ { "action": "ecs:UpdateService", "resource": "arn:...",
//                     "context": { "aws:PrincipalTag/investigation_id": "inv-..." } } ]
//   }
// and prints { "results": [ { "action", "resource", "decision", ... } ] }, one result per
// request in order. `decision` is Allowed, ImplicitlyDenied or ExplicitlyDenied, or Error when
// the simulator rejected the request or a policy; the process then exits with status 1.

import { runSimulation } from '@cloud-copilot/iam-simulate'

const DEFAULT_PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/causeflow-agent/causeflow-session'

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) {
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

// The broker hands policies around as JSON strings, so accept either form.
function asDocument(policy) {
  return typeof policy === 'string' ? JSON.parse(policy) : policy
}

// The fifth field of an ARN is the account. `*` and account-less ARNs fall back to the
// principal's account, which makes the request a same-account one.
function accountOf(arn, fallback) {
  const fields = arn.split(':')
  return fields.length >= 6 && /^\d{12}$/.test(fields[4]) ? fields[4] : fallback
}

async function evaluate(input, request) {
  const principal = input.principal ?? DEFAULT_PRINCIPAL
  const principalAccount = accountOf(principal, '123456789012')
  const simulation = {
    request: {
      principal,
      action: request.action,
      resource: { resource: request.resource, accountId: accountOf(request.resource, principalAccount) },
      contextVariables: request.context ?? {}
    },
    identityPolicies: (input.identity_policies ?? []).map((policy, index) => ({
      name: `identity-${index}`,
      policy: asDocument(policy)
    })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    sessionPolicy: input.session_policy ? asDocument(input.session_policy) : undefined
  }

  const response = await runSimulation(simulation, {})
  const result = { action: request.action, resource: request.resource }
  if (response.resultType === 'error') {
    return { ...result, decision: 'Error', errors: response.errors }
  }
  if (response.resultType === 'wildcard') {
    return wildcardDecision(result, response)
  }
  return {
    ...result,
    decision: response.overallResult,
    ignored_context_keys: response.result.ignoredContextKeys ?? []
  }
}

// A request on `*` for an action whose resource types are all optional (GetMetricData on classic
// metrics) names no resource, and AWS evaluates it against `*`. The simulator treats `*` as a
// pattern and also tries the narrower resources the policies name, so only its evaluation of
// `*` itself is taken. It omits that evaluation when `*` is implicitly denied.
function wildcardDecision(result, response) {
  if (result.resource !== '*') {
    return {
      ...result,
      decision: 'Error',
      errors: { message: 'the resource contains a wildcard: use a concrete ARN, or `*` alone' }
    }
  }
  const exact = response.results.filter((entry) => entry.resourcePattern === '*')
  if (exact.length === 0) {
    return { ...result, decision: 'ImplicitlyDenied', ignored_context_keys: response.results[0]?.ignoredContextKeys ?? [] }
  }
  const decisions = new Set(exact.map((entry) => entry.analysis.result))
  if (decisions.size !== 1) {
    return { ...result, decision: 'Error', errors: { message: `conflicting decisions for *: ${[...decisions]}` } }
  }
  return { ...result, decision: [...decisions][0], ignored_context_keys: exact[0].ignoredContextKeys ?? [] }
}

async function main() {
  const input = JSON.parse(await readStdin())
  const results = []
  for (const request of input.requests ?? []) {
    results.push(await evaluate(input, request))
  }
  process.stdout.write(JSON.stringify({ results }) + '\n')
  if (results.some((result) => result.decision === 'Error')) {
    process.exitCode = 1
  }
}

main().catch((error) => {
  process.stderr.write(`iam-eval failed: ${error?.stack ?? error}\n`)
  process.exitCode = 2
})
