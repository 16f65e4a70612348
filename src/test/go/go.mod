module tracebee.test/fixtures

go 1.23
