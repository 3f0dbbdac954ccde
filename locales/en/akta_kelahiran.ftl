akta_kelahiran-title = Birth Certificate
akta_kelahiran-intro =
    Thank you. A birth certificate is free of charge.
    Before we start, please have ready:
    - a photo of the birth letter from the midwife, doctor or hospital
    - a photo of the parents' marriage book or marriage certificate
    - the mother's NIK, the father's NIK and the Family Card number
    If the parents' marriage is not registered, have the NIKs of two witnesses ready for the statement of full responsibility (SPTJM).
akta_kelahiran-nama_bayi = Please type the child's full name as it should appear on the certificate. Example: *Aisyah Putri Ramadhani*.
    .label = Child's name
akta_kelahiran-jenis_kelamin = What is the child's sex? Please type the number of your choice.
    .label = Sex
akta_kelahiran-jenis_kelamin-laki_laki = Male
akta_kelahiran-jenis_kelamin-perempuan = Female
akta_kelahiran-tanggal_lahir = Please type the child's date of birth as day-month-year. Example: *17-08-2025*.
    .label = Date of birth
akta_kelahiran-tempat_lahir = In which city or regency was the child born? Example: *Penajam Paser Utara*.
    .label = Place of birth
akta_kelahiran-anak_ke = Which child of this mother is this (1st, 2nd, ...)? Please type a number. Example: *2*.
    .label = Child number
akta_kelahiran-tanggal_lahir_ibu = Please type the mother's date of birth as day-month-year. Example: *17-08-1990*.
    .label = Mother's date of birth
akta_kelahiran-nik_ibu = Please type the mother's NIK (16 digits). Example: *6409015708900002*.
    .label = Mother's NIK
akta_kelahiran-nik_ayah = Please type the father's NIK (16 digits). If there is none, type *skip*.
    .label = Father's NIK
akta_kelahiran-no_kk = Please type the number of the Family Card the child will be listed on (16 digits). Example: *6409012005150003*.
    .label = KK number
akta_kelahiran-surat_lahir =
    Please send a photo of the birth letter from the midwife, doctor or hospital.
    Make sure the whole letter is visible and the text is clearly readable.
    .label = Birth letter
akta_kelahiran-nikah_tercatat =
    Is the parents' marriage registered (do they have a marriage book or marriage certificate)?
    Type *yes* or *no*.
    .label = Marriage registered
akta_kelahiran-buku_nikah =
    Please send a photo of the marriage book or marriage certificate, the page with the husband's and wife's names.
    Make sure the photo is clear and readable.
    .label = Marriage book
akta_kelahiran-nik_saksi_1 =
    As the marriage is not registered, two witnesses are needed for the SPTJM.
    Please type the first witness's NIK (16 digits).
    .label = Witness 1 NIK
akta_kelahiran-nik_saksi_2 = Please type the second witness's NIK (16 digits). It must be a different person.
    .label = Witness 2 NIK
akta_kelahiran-ringkasan = Please check your birth certificate application:
