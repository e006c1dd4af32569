from leadpack.cli import main

main()
