import { AGENT_ROLES } from '../catalog/roles';
import { ALL_CAPABILITIES } from '../catalog/catalog';
import {
  validateCodeChange,
  validateConsultation,
  validateDeploymentPlan,
  validateDesignDoc,
  validateMcqItem,
  validateReview,
  validateTestPlan,
} from './kind.validators';
import { OutputKind } from './output-kinds';
import { PlanVocabulary, validatePlan } from './plan.validator';
import { formatIssue, ValidationIssue } from '@app/contracts';

export type OutputValidator = (output: unknown) => ValidationIssue[];

/** Plans are checked against the catalog: a task nobody can do is a planning error. */
export const CATALOG_VOCABULARY: PlanVocabulary = {
  roles: new Set<string>(AGENT_ROLES),
  capabilities: ALL_CAPABILITIES,
};

export const OUTPUT_VALIDATORS: Readonly<Record<OutputKind, OutputValidator>> = {
  plan: (output) => validatePlan(output, CATALOG_VOCABULARY),
  design_doc: validateDesignDoc,
  code_change: validateCodeChange,
  review: validateReview,
  test_plan: validateTestPlan,
  deployment_plan: validateDeploymentPlan,
  mcq_item: validateMcqItem,
};

export interface OutputValidationResult {
  valid: boolean;
  errors: ValidationIssue[];
}

export function validateOutput(kind: OutputKind, output: unknown): OutputValidationResult {
  const errors = OUTPUT_VALIDATORS[kind](output);
  return { valid: errors.length === 0, errors };
}

export { validateConsultation };

/** One line per issue, e.g. for a task's error text or a repair prompt. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map(formatIssue).join('; ');
}
