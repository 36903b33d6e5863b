/// mimalloc instead of glibc's malloc: under a test day's saves, glibc spent
/// about an eighth of the server's CPU in `malloc_consolidate` and its free
/// lists (perf of the release server); see the README's Measured section.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    assay::cli::main()
}
