// Password policy (OWASP ASVS V6): length over composition rules; refuse passwords built from the username or
// a handful of well-known breached patterns. Returns the reasons, empty when acceptable.
const COMMON = ['password', '123456', 'qwerty', 'letmein', 'welcome', 'admin', 'corelab', 'iloveyou', 'abc123'];

export function passwordProblems(password: string, username: string, minLength: number): string[] {
  const problems: string[] = [];
  if (password.length < minLength) problems.push(`must be at least ${minLength} characters`);
  if (password.length > 256) problems.push('must be at most 256 characters');
  const lower = password.toLowerCase();
  if (username && lower.includes(username.toLowerCase())) problems.push('must not contain the username');
  if (COMMON.some((w) => lower.includes(w))) problems.push('must not contain a common password');
  if (new Set(password).size < 5) problems.push('must use at least 5 different characters');
  return problems;
}
