module tracebee.test/autosdk

go 1.23.12

require (
	go.opentelemetry.io/auto/sdk v1.1.0
	go.opentelemetry.io/otel v1.32.0
	go.opentelemetry.io/otel/trace v1.32.0
)
