// The real go-github client (the one inside terraform-provider-github, which @pulumi/github wraps), driven
// against the GitHub emulator by test/emulators/github/goclient.test.ts.
module slipway/emulators/github/goclient

go 1.26.0
require (
	github.com/google/go-github/v88 v88.0.0
	golang.org/x/crypto v0.59.0
)

require (
	github.com/google/go-querystring v1.2.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
