module profdiff/bench/pprofgen

go 1.19
