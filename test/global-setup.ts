// Filled in by the foundation: starts the S3-compatible server and checks real services.
export default function setup(): void {}
