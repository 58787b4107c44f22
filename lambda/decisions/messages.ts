// The messages a user meets when a stop fails (pure): what may still be running and billing, and the command that stops it.
/** The AWS CLI command that stops a model by hand. */
export function stopCommand(versionArn: string): string {
  const region = versionArn.split(':')[3];
  return `aws rekognition stop-project-version --project-version-arn ${versionArn}${region ? ` --region ${region}` : ''}`;
}

/**
 * The reason a Delete fails with. CloudFormation drops a resource whose cleanup delete fails and carries on, so the
 * message is all a user may ever see of a model left running: it says so, and how to stop it.
 */
export function deleteFailure(versionArn: string, reason: string): string {
  return `${reason}. ${versionArn} may still be running and billing: stop it with \`${stopCommand(versionArn)}\``;
}
