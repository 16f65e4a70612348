module tracebee.demo

go 1.23
