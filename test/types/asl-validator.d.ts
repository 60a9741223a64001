declare module 'asl-validator' {
  interface ValidationResult {
    readonly isValid: boolean;
    readonly errors: Array<{ 'Error code': string; Message: string }>;
    errorsText(separator?: string): string;
  }
  function validator(definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }): ValidationResult;
  export = validator;
}
