/** The options every command accepts before its name (reference §1.1). */
export interface GlobalOptions {
  verbosity: number;
  withoutLogTimestamp: boolean;
  configFile?: string;
  bucketName?: string;
  keyFile?: string;
  prefix?: string;
  fqdn?: string;
  backupGracePeriodInDays?: string;
  sshUsername?: string;
  sshKeyFile?: string;
}
