import { metaTime, ApiError, type StatusCause } from '@tugboat/core';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';

import type { Strategy } from '../registry/Strategy.js';
import { statusSubresource } from '../strategies/statusSubresource.js';
import { semanticEqual } from '../strategies/validation/semanticEqual.js';
import { FieldPath } from '../strategies/validation/FieldPath.js';
import { fieldError } from '../strategies/validation/fieldError.js';
import { validateMeta } from '../strategies/validation/validateMeta.js';
import { parseCsrRequest } from './parseCsrRequest.js';

const knownUsages = [
  'signing',
  'digital signature',
  'content commitment',
  'key encipherment',
  'key agreement',
  'data encipherment',
  'cert sign',
  'crl sign',
  'encipher only',
  'decipher only',
  'any',
  'server auth',
  'client auth',
  'code signing',
  'email protection',
  's/mime',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'timestamping',
  'ocsp signing',
  'microsoft sgc',
  'netscape sgc',
] as const;
const conditionTypes = ['Approved', 'Denied', 'Failed'] as const;
const signerNamePattern = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function validateSpec(csr: CertificateSigningRequest): StatusCause[] {
  const causes = validateMeta(csr.metadata, 'dns1123Subdomain');
  const spec = FieldPath.of('spec');
  const s = csr.spec as Partial<CertificateSigningRequest['spec']> | undefined;
  if (typeof s?.request !== 'string' || s.request === '') {
    causes.push(fieldError.required(spec.child('request')));
  } else {
    try {
      parseCsrRequest(s.request);
    } catch (err) {
      causes.push(fieldError.invalid(spec.child('request'), '<request>', (err as Error).message));
    }
  }
  if (typeof s?.signerName !== 'string' || s.signerName === '') {
    causes.push(fieldError.required(spec.child('signerName')));
  } else if (!signerNamePattern.test(s.signerName)) {
    causes.push(
      fieldError.invalid(
        spec.child('signerName'),
        s.signerName,
        "must be a fully qualified domain and path of the form 'example.com/signer-name'",
      ),
    );
  }
  if (
    s?.expirationSeconds !== undefined &&
    (!Number.isInteger(s.expirationSeconds) || s.expirationSeconds < 600)
  ) {
    causes.push(
      fieldError.invalid(
        spec.child('expirationSeconds'),
        s.expirationSeconds,
        'may not specify a duration less than 600 seconds (10 minutes)',
      ),
    );
  }
  (s?.usages ?? []).forEach((u, i) => {
    if (!(knownUsages as readonly string[]).includes(u))
      causes.push(fieldError.notSupported(spec.child('usages').index(i), u, knownUsages));
  });
  return causes;
}

function validateStatus(csr: CertificateSigningRequest): StatusCause[] {
  const causes: StatusCause[] = [];
  const path = FieldPath.of('status');
  const conditions = csr.status?.conditions ?? [];
  const seen = new Set<string>();
  conditions.forEach((c, i) => {
    const at = path.child('conditions').index(i);
    if (!(conditionTypes as readonly string[]).includes(c.type)) {
      causes.push(fieldError.notSupported(at.child('type'), c.type, conditionTypes));
    } else if (seen.has(c.type)) {
      causes.push({
        reason: 'FieldValueDuplicate',
        field: String(at.child('type')),
        message: `Duplicate value: ${JSON.stringify(c.type)}`,
      });
    }
    seen.add(c.type);
    if (!['True', 'False', 'Unknown'].includes(c.status))
      causes.push(fieldError.notSupported(at.child('status'), c.status, ['True', 'False', 'Unknown']));
  });
  const approved = conditions.some((c) => c.type === 'Approved' && c.status === 'True');
  const denied = conditions.some((c) => c.type === 'Denied' && c.status === 'True');
  if (approved && denied)
    causes.push(
      fieldError.invalid(
        path.child('conditions'),
        'Approved and Denied',
        'Approved and Denied conditions are mutually exclusive',
      ),
    );
  const cert = csr.status?.certificate;
  if (cert !== undefined && cert !== '') {
    if (!approved)
      causes.push(
        fieldError.invalid(
          path.child('certificate'),
          '<certificate>',
          'may only be set on an approved request',
        ),
      );
    const pem = Buffer.from(cert, 'base64').toString('utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----'))
      causes.push(
        fieldError.invalid(path.child('certificate'), '<certificate>', 'must hold PEM CERTIFICATE blocks'),
      );
  }
  return causes;
}

const split = statusSubresource<CertificateSigningRequest>();
const approvalTypes = new Set(['Approved', 'Denied']);

/**
 * Keeps the concerns of approval and issuance apart, as upstream: a write to `approval` changes
 * only the Approved and Denied conditions (the rest of the status stays as stored), a write to
 * `status` changes everything but them. New conditions get their timestamps filled in.
 */
function splitConditions(
  csr: CertificateSigningRequest,
  old: CertificateSigningRequest,
  approval: boolean,
): void {
  const incoming = csr.status?.conditions ?? [];
  const stored = old.status?.conditions ?? [];
  const decided = (c: { type: string }): boolean => approvalTypes.has(c.type);
  const conditions = approval
    ? [...incoming.filter(decided), ...stored.filter((c) => !decided(c))]
    : [...stored.filter(decided), ...incoming.filter((c) => !decided(c))];
  const now = metaTime();
  const filled = conditions.map((c) => {
    const before = stored.find((o) => o.type === c.type);
    const transitioned = before === undefined || before.status !== c.status;
    return {
      ...c,
      lastUpdateTime: c.lastUpdateTime ?? now,
      lastTransitionTime: c.lastTransitionTime ?? (transitioned ? now : (before.lastTransitionTime ?? now)),
    };
  });
  const status = approval ? { ...(old.status ?? {}) } : { ...(csr.status ?? {}) };
  if (filled.length > 0) status.conditions = filled;
  else delete status.conditions;
  if (Object.keys(status).length > 0) csr.status = status;
  else delete csr.status;
}

/**
 * The strategy of certificates.k8s.io/v1 CertificateSigningRequests: the spec is validated (a
 * parsable PEM PKCS#10 request, a `domain/path` signer name, known usages, at least 10 minutes
 * of validity) and immutable; status is written through the `status` subresource only, except
 * the Approved and Denied conditions, which only the `approval` subresource writes and which exclude each other, conditions are not repeated, and a certificate is only
 * accepted once approved and never changed after.
 */
export const csrStrategy: Strategy<CertificateSigningRequest> = {
  ...split,
  prepareForStatusUpdate: (csr, old, context) => {
    split.prepareForStatusUpdate(csr, old);
    splitConditions(csr, old, context?.subresource === 'approval');
  },
  validate: (csr) => validateSpec(csr),
  validateUpdate: (csr, old, context) => {
    if (context.subresource === 'status' || context.subresource === 'approval') {
      const causes = validateStatus(csr);
      const before = old.status?.certificate;
      if (before !== undefined && before !== '' && csr.status?.certificate !== before)
        causes.push(fieldError.invalid('status.certificate', '<certificate>', 'field is immutable once set'));
      // A decision stands: upstream never lets Approved or Denied be removed.
      for (const t of ['Approved', 'Denied']) {
        const had = old.status?.conditions?.some((c) => c.type === t && c.status === 'True');
        const has = csr.status?.conditions?.some((c) => c.type === t && c.status === 'True');
        if (had === true && has !== true)
          causes.push(fieldError.invalid('status.conditions', t, `the ${t} condition may not be removed`));
      }
      return causes;
    }
    const causes = validateSpec(csr);
    if (!semanticEqual(csr.spec, old.spec))
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec',
        message: 'Invalid value: field is immutable',
      });
    return causes;
  },
};

/** Throws `Invalid` unless `csr` passes {@link csrStrategy} create validation (for callers outside the registry). */
export function assertValidCsr(csr: CertificateSigningRequest): void {
  const causes = validateSpec(csr);
  if (causes.length > 0)
    throw new ApiError('Invalid', causes.map((c) => `${c.field ?? ''}: ${c.message}`).join('; '));
}
