import type { StatusCause, corev1, metav1 } from '@tugboat/core';

import { validatePodSpec } from '../pod/validatePodSpec.js';
import { checks } from '../validation/checks.js';
import type { FieldPath } from '../validation/FieldPath.js';
import { fieldError, StringMapValue } from '../validation/fieldError.js';
import { selectorIsEmpty, selectorMatches, validateLabelSelector } from '../validation/labelSelector.js';
import { validateAnnotations, validateLabels } from '../validation/validateMeta.js';
import type { Unchecked } from '../validation/Unchecked.js';

/**
 * Validates the selector and pod template of a workload (`spec` at `path`): the selector is
 * required and non-empty, selects the template's labels, and the template is a valid pod spec
 * with `restartPolicy: Always`.
 */
export function validateSelectorAndTemplate(
  selector: Unchecked<metav1.LabelSelector> | undefined,
  template: Unchecked<corev1.PodTemplateSpec> | undefined,
  path: FieldPath,
  kind: string,
): StatusCause[] {
  const causes: StatusCause[] = [];
  const selectorPath = path.child('selector');
  let selectorValid = false;
  if (!selector) causes.push(fieldError.required(selectorPath));
  else {
    const selectorCauses = validateLabelSelector(selector, selectorPath);
    // A malformed selector cannot be matched; its own causes say why.
    selectorValid = selectorCauses.length === 0;
    causes.push(...selectorCauses);
    if (selectorIsEmpty(selector))
      causes.push(fieldError.invalid(selectorPath, selector, `empty selector is invalid for ${kind}`));
  }
  const templatePath = path.child('template');
  if (!template) return [...causes, fieldError.required(templatePath)];
  const labels = template.metadata?.labels;
  const labelsPath = templatePath.child('metadata', 'labels');
  causes.push(...validateLabels(labels, labelsPath));
  causes.push(
    ...validateAnnotations(template.metadata?.annotations, templatePath.child('metadata', 'annotations')),
  );
  if (selector && selectorValid && !selectorIsEmpty(selector) && !selectorMatches(selector, labels)) {
    causes.push(
      fieldError.invalid(
        labelsPath,
        new StringMapValue(labels ?? {}),
        '`selector` does not match template `labels`',
      ),
    );
  }
  const specPath = templatePath.child('spec');
  causes.push(...validatePodSpec(template.spec, specPath));
  if (template.spec?.restartPolicy && template.spec.restartPolicy !== 'Always') {
    // validatePodSpec accepted it as a pod policy; workloads restart their pods themselves.
    causes.push(
      fieldError.notSupported(specPath.child('restartPolicy'), template.spec.restartPolicy, ['Always']),
    );
  }
  if (template.spec?.activeDeadlineSeconds !== undefined) {
    causes.push(
      fieldError.forbidden(
        specPath.child('activeDeadlineSeconds'),
        'activeDeadlineSeconds in ReplicaSet is not Supported',
      ),
    );
  }
  return causes;
}

/** Validates `replicas`, `minReadySeconds` and `revisionHistoryLimit`-style non-negative integers of a workload spec. */
export function validateNonNegatives<T extends object>(
  spec: T,
  fields: readonly (keyof T & string)[],
  path: FieldPath,
): StatusCause[] {
  return fields.flatMap((f) => checks.atLeast(spec[f], 0, path.child(f)));
}
