module poolable/benches/go

go 1.19
