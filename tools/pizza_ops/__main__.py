from pizza_ops.cli import main

raise SystemExit(main())
