from vsscare.cli import main

main()
